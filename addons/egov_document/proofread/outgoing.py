"""The proofreader's findings among the format findings of a 发文: the
text of its 正文 (.docx) read as 秘书科 would before 签发."""
from trytond.exceptions import UserError
from trytond.pool import PoolMeta

from . import engine, text


class Outgoing(metaclass=PoolMeta):
    __name__ = 'egov.document.outgoing'

    def format_findings(self):
        parent = getattr(super(), 'format_findings', None)
        findings = list(parent()) if parent else []
        paragraphs = self.body_paragraphs()
        if paragraphs:
            findings.extend(
                engine.findings(paragraphs, engine.knowledge(self.unit)))
        return findings

    def body_paragraphs(self):
        """The paragraphs of a .docx body, opened through the upload guard
        of render/ (zip bombs, XXE, macros); none for another kind (a PDF
        or OFD body is the image of a text) nor for an unreadable one,
        which the layout check reports"""
        try:
            document = self.body_document()
        except UserError:
            return []
        if document is None:
            return []
        return text.docx_paragraphs(document)
