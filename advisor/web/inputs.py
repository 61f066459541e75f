"""The API's input errors in Chinese: Gradio checks the role and the history before any handler runs
and answers in English (the role) or with ``{"error": null}`` (a malformed history). The components
keep their kind (the page's JavaScript looks them up by it); only this instance's check is wrapped."""

from __future__ import annotations

import gradio as gr
from gradio.components.chatbot import ChatbotDataMessages
from pydantic import ValidationError

HISTORY_FORM = '[{"role": "user" 或 "assistant", "content": "文字"}, …]'


class ChatHistory(ChatbotDataMessages):
    """The chat history as Gradio reads it, with a Chinese reason when it is malformed."""

    @classmethod
    def model_validate(cls, obj, *args, **kwargs):
        try:
            return super().model_validate(obj, *args, **kwargs)
        except ValidationError as exc:
            first = exc.errors()[0] if exc.errors() else {}
            where = "/".join(str(p) for p in first.get("loc", ()) if p != "root")
            msg = f"对话历史格式不对（{where or '整体'}）：应为 {HISTORY_FORM} 的列表"
            raise gr.Error(msg) from None


def chinese_history_errors(chatbot: gr.Chatbot) -> gr.Chatbot:
    chatbot.data_model = ChatHistory
    return chatbot


def chinese_role_errors(radio: gr.Radio) -> gr.Radio:
    """An unknown role is answered with the choices, in Chinese."""
    check = radio.preprocess

    def preprocess(payload):
        try:
            return check(payload)
        except gr.Error:
            choices = "、".join(str(value) for _, value in radio.choices)
            msg = f"未知的岗位 {str(payload)[:40]!r}；可选：{choices}"
            raise gr.Error(msg) from None

    radio.preprocess = preprocess
    return radio
