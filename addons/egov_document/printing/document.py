"""The print buttons on the forms: 打印处理单 on a 收文, 打印稿纸 on a 发文.
They open the report actions (printing.xml); the report checks that the
person may read the document."""
from trytond.model import ModelView
from trytond.pool import PoolMeta


class Incoming(metaclass=PoolMeta):
    __name__ = 'egov.document.incoming'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'print_form': {'depends': []},
                })

    @classmethod
    @ModelView.button_action('egov_document.report_incoming_form')
    def print_form(cls, documents):
        "打印收文处理单"


class Outgoing(metaclass=PoolMeta):
    __name__ = 'egov.document.outgoing'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'print_form': {'depends': []},
                })

    @classmethod
    @ModelView.button_action('egov_document.report_outgoing_form')
    def print_form(cls, documents):
        "打印发文稿纸"
