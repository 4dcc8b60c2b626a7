"""Records a person may not see are refused as records that do not exist.

Tryton answers a read of a record outside the person's record rules with
"not allowed to read … because of these rules: …" and a read of an id
that does not exist with "… that don't exist": two answers that tell
which ids exist, and the rule they name (本人涉密等级可阅的发文) tells
which are classified. The same holds for writes and deletes, and for
every way that reads a record: buttons, wizards, attachments and notes of
a record. The ids the person may not read are answered here as missing
ones (egov_base.tools.check_visible): on a read when the ORM refused it
(reads are many, refusals few); on a write or a delete before the model's
own checks, which may name the record in their refusal. A record the
person may read but not change keeps Tryton's answer, with its rules;
a refusal of the whole model names no record and comes first."""
from trytond.model import ModelSingleton
from trytond.model.exceptions import AccessError
from trytond.pool import Pool

from ..tools import check_visible
from .field_guard import _guarded


def _ids(ids):
    return [i for i in map(int, ids) if i >= 0]


class HiddenAsMissingMixin:
    "Applied to every model ([register_mixin] in tryton.cfg)"
    __slots__ = ()

    @classmethod
    def read(cls, ids, fields_names):
        # Reads are many: the visible ids are looked for on a refusal only
        try:
            return super().read(ids, fields_names)
        except AccessError:
            if _guarded():
                pool = Pool()
                ModelAccess = pool.get('ir.model.access')
                # A refusal of the whole model names no record
                if ModelAccess.check(
                        cls.__name__, 'read', raise_exception=False):
                    check_visible(cls, _ids(ids))
            raise

    @classmethod
    def write(cls, *args):
        # Before the model's own checks, which may name the record in
        # their refusal ("常用语「…」不是您本人的")
        if _guarded():
            cls._refuse_hidden(
                [r for records in args[::2] for r in records], 'write')
        return super().write(*args)

    @classmethod
    def delete(cls, records):
        if _guarded():
            # A hidden record is one that cannot be read (check_visible)
            cls._refuse_hidden(records, 'delete')
        return super().delete(records)

    @classmethod
    def _refuse_hidden(cls, records, mode):
        """The model's refusal for mode if any, for any id; else the
        missing records' error for the hidden ones"""
        pool = Pool()
        ModelAccess = pool.get('ir.model.access')
        ModelAccess.check(cls.__name__, mode)
        ids = _ids(records)
        # A singleton's one record is written before it is stored
        if ids and not issubclass(cls, ModelSingleton):
            check_visible(cls, ids, mode)


class HiddenResourceMixin:
    """ir.attachment and ir.note (Tryton's ResourceAccessMixin): one made
    on a record checked its rules with Tryton's words, naming the rule
    (本人涉密等级可阅的发文), while one on an id that does not exist was
    refused as "资源为必填项". The record is now checked first: a hidden one
    is answered as a missing one."""
    __slots__ = ()

    @classmethod
    def create(cls, vlist):
        if _guarded():
            _check_resources(v.get('resource') for v in vlist)
        return super().create(vlist)

    @classmethod
    def write(cls, *args):
        if _guarded():
            _check_resources(v.get('resource') for v in args[1::2])
        return super().write(*args)


def _check_resources(resources):
    pool = Pool()
    for resource in resources:
        if isinstance(resource, str):
            model, _, id_ = resource.partition(',')
        elif isinstance(resource, (list, tuple)) and len(resource) == 2:
            model, id_ = resource
        else:
            continue
        try:
            Model = pool.get(model)
            id_ = int(id_)
        except (KeyError, ValueError, TypeError):
            continue    # Tryton refuses it as it is
        if id_ >= 0:
            check_visible(Model, [id_])
