from trytond.pool import PoolMeta


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.extend([
                ('egov.audit.log|seal_cron', "Seal the Audit Log"),
                ('egov.audit.archive|archive_cron',
                    "Archive the Audit Log"),
                ])
