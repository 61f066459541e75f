"""The curated knowledge base, installed with the package as ``advisor_corpus``.

The articles (``*.md``) and the data files beside them (``knowledge.yaml``, ``scope.yaml``) are
package data; this module holds no code.
"""
