"""Helpers shared by tests/, bench/ and evals/: one of each (scripted OpenAI-compatible server,
isolated settings, free port, app subprocess, chat client calls, percentiles). Not shipped in the wheel."""
