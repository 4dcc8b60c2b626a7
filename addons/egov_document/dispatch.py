"""分发: a signed, numbered and sealed 发文 goes to its 主送 and 抄送 units.
Each unit of the platform gets a 收文 waiting to be signed for (签收) in its
own inbox, with the sender's data filled in; its 收发员 (the people whose
post carries the document clerk role) are told. Units on other platforms
are reached through the exchange (exchange/).

A 发文 of the city goes to up to 2,000 units at once: the 收文 are written
by one INSERT (their values come from the checked 发文, nothing to
validate again), then audited and queued for the search as a create is."""
from sql import Literal

from trytond.filestore import filestore
from trytond.i18n import gettext
from trytond.model.fields import SQL_OPERATORS
from trytond.model import Model
from trytond.pool import Pool
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access

from egov_base.tools import IN_MAX

from .document import now
from .exceptions import DispatchError
from .secrecy import reaches

# The columns a dispatched 收文 is written with (besides its unit)
COLUMNS = [
    'title', 'kind', 'source_unit', 'source_name', 'source_number',
    'secrecy', 'secrecy_years', 'urgency', 'received_date', 'category',
    'origin', 'receipt', 'outgoing', 'copies', 'body_id', 'body_name',
    'workflow_state']


class Dispatch(Model):
    "Dispatch of Outgoing Documents"
    __string__ = "Dispatch of Outgoing Documents"
    __name__ = 'egov.document.dispatch'

    @classmethod
    def dispatch(cls, outgoing):
        "Send outgoing to its recipients; return the ids of the 收文 made"
        pool = Pool()
        Outgoing = pool.get('egov.document.outgoing')
        if outgoing.dispatched_at:
            raise DispatchError(gettext(
                    'egov_document.msg_dispatch_twice',
                    document=outgoing.rec_name))
        units = cls.recipients(outgoing)
        if not units:
            raise DispatchError(gettext(
                    'egov_document.msg_outgoing_no_recipient',
                    document=outgoing.title))
        refused = [name for _, name, clearance in units
            if not reaches(clearance, outgoing.secrecy)]
        if refused:
            raise DispatchError(gettext(
                    'egov_document.msg_unit_not_cleared',
                    units='、'.join(refused[:5]),
                    secrecy=outgoing.secrecy_label()))
        unit_ids = [u for u, _, _ in units]
        ids = cls._insert(outgoing, unit_ids)
        with without_check_access():
            Outgoing.write([outgoing], {'dispatched_at': now()})
        cls.tell_clerks(outgoing, unit_ids)
        return ids

    @classmethod
    def recipients(cls, outgoing):
        """[(unit id, name, clearance)] of the 主送 then 抄送 units, each
        once, read in one query"""
        pool = Pool()
        Unit = pool.get('egov.org.unit')
        Main = pool.get('egov.document.outgoing-main.unit')
        Copy = pool.get('egov.document.outgoing-copy.unit')
        unit = Unit.__table__()
        cursor = Transaction().connection.cursor()
        result, seen = [], set()
        for Relation in [Main, Copy]:
            relation = Relation.__table__()
            cursor.execute(*relation.join(unit,
                    condition=unit.id == relation.unit).select(
                    unit.id, unit.name, unit.secrecy_clearance,
                    where=relation.document == outgoing.id,
                    order_by=[relation.id]))
            for row in cursor:
                if row[0] not in seen:
                    seen.add(row[0])
                    result.append(row)
        return result

    @classmethod
    def _values(cls, outgoing, today):
        "The values of each 收文 of outgoing, in COLUMNS order"
        body_id = None
        if outgoing.body:
            # One file for all the 收文 (Tryton removes a file of a
            # model's field only when no record of it uses it)
            # In the database's folder, where the field reads it
            body_id = filestore.set(outgoing.body,
                prefix=Transaction().database.name)
        values = {
            'title': outgoing.title,
            'kind': outgoing.kind.id if outgoing.kind else None,
            'source_unit': outgoing.unit.id,
            'source_name': outgoing.unit.name,
            'source_number': outgoing.number,
            'secrecy': outgoing.secrecy,
            'secrecy_years': outgoing.secrecy_years,
            'urgency': outgoing.urgency,
            'received_date': today,
            'category': 'superior',
            'origin': 'platform',
            'receipt': 'pending',
            'outgoing': outgoing.id,
            'copies': 1,
            'body_id': body_id,
            'body_name': outgoing.body_name if body_id else None,
            'workflow_state': 'draft',
            }
        return [values[c] for c in COLUMNS]

    @classmethod
    def _divisions(cls, unit_ids):
        "{unit id: its division id} (kept on each 收文, see document.py)"
        Unit = Pool().get('egov.org.unit')
        unit = Unit.__table__()
        cursor = Transaction().connection.cursor()
        result = {}
        for sub_ids in grouped_slice(unit_ids, IN_MAX):
            cursor.execute(*unit.select(unit.id, unit.division,
                    where=unit.id.in_(list(sub_ids))))
            result.update(cursor)
        return result

    @classmethod
    def _insert(cls, outgoing, unit_ids):
        pool = Pool()
        Incoming = pool.get('egov.document.incoming')
        Log = pool.get('egov.audit.log')
        transaction = Transaction()
        database = transaction.database
        today = pool.get('ir.date').today()
        values = cls._values(outgoing, today)
        table = Incoming.__table__()
        divisions = cls._divisions(unit_ids)
        columns = [getattr(table, c) for c in ['unit', 'division'] + COLUMNS
            ] + [table.create_uid, table.create_date]
        created = now()
        cursor = transaction.connection.cursor()
        ids = []
        if database.has_returning() and database.has_multirow_insert():
            # One short statement for all the units: the values are the
            # same but for the unit (a long multi-row VALUES costs more to
            # send than to insert)
            quoted = ', '.join('"%s"' % c for c in ['unit', 'division']
                + COLUMNS + ['create_uid', 'create_date'])
            placeholders = ', '.join(['%s'] * (len(COLUMNS) + 2))
            cursor.execute('INSERT INTO "%s" (%s) SELECT u, d, %s '
                'FROM unnest(%%s::integer[], %%s::integer[]) '
                'WITH ORDINALITY AS t(u, d, n) '
                'ORDER BY n RETURNING id, unit' % (
                    Incoming._table, quoted, placeholders),
                values + [0, created, list(unit_ids),
                    [divisions.get(u) for u in unit_ids]])
            rows = cursor.fetchall()
            ids = [i for i, _ in rows]
            unit_ids = [u for _, u in rows]
        else:
            for unit in unit_ids:
                cursor.execute(*table.insert(columns,
                        [[unit, divisions.get(unit)] + values
                            + [0, created]]))
                ids.append(database.lastid(cursor))
        # (the 收文 browse in slices: statistics/query.py)
        incomings = Incoming.browse(ids)
        # What a create does after its INSERT: the audit, the search
        # queue and the other modules' reactions
        actor = Log.actor()
        Log.record_rows([Log.build('create', model=Incoming.__name__,
                    record_id=i, record_name=outgoing.title,
                    changes={'unit': [None, u], 'outgoing': [
                            None, outgoing.id]}, actor=actor)
                for i, u in zip(ids, unit_ids)])
        Incoming.on_modification('create', incomings)
        return ids

    @classmethod
    def clerks_of(cls, unit_ids):
        """The posts with the clerk role in the units and their departments
        (not in their sub-units, which receive their own)"""
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        PostGroup = pool.get('egov.org.post-res.group')
        Post = pool.get('egov.org.post')
        Unit = pool.get('egov.org.unit')
        clerk = ModelData.get_id('egov_document', 'group_document_clerk')
        post_group = PostGroup.__table__()
        post = Post.__table__()
        node = Unit.__table__()
        cursor = Transaction().connection.cursor()
        posts = []
        for sub_units in grouped_slice(unit_ids, IN_MAX):
            cursor.execute(*post_group
                .join(post, condition=post.id == post_group.post)
                .join(node, condition=node.id == post.unit)
                .select(post.id,
                    where=(post_group.group == clerk)
                    & (post.active == Literal(True))
                    & SQL_OPERATORS['in'](node.unit, list(sub_units))))
            posts.extend(p for p, in cursor)
        return posts

    @classmethod
    def tell_clerks(cls, outgoing, unit_ids):
        Message = Pool().get('egov.notify.message')
        posts = cls.clerks_of(unit_ids)
        if not posts:
            return
        Message.send('egov_document', 'incoming_dispatched',
            {'posts': posts}, {
                'title': outgoing.title,
                'number': outgoing.number or '',
                'sender': outgoing.unit.name,
                },
            urgency='urgent' if outgoing.urgency != 'normal' else 'normal',
            sender=Transaction().user or None)
