"""The proofreader (秘书科 校对): the rules of punctuation, numbers, 文号
and dates, names and sensitive words run over the paragraphs of a text.
Each finding is a dict (the interface of format_findings):
{'rule', 'category': 'text', 'line', 'message', 'fix': None}; a rule
reports a paragraph once, whatever the number of its faults."""
import bisect
import itertools

from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.tools import grouped_slice
from trytond.transaction import without_check_access

from egov_base.tools import IN_MAX

from . import (
    numbers, organisation, punctuation, sensitive, text, triggers)

# The rule codes, as a finding names them, in the order of the report
RULES = [
    'punct.halfwidth', 'punct.pair', 'punct.end', 'punct.repeat',
    'punct.serial', 'punct.list_comma',
    'num.arabic_due', 'num.chinese_due', 'num.mixed',
    'docno.bracket', 'docno.zero', 'docno.di', 'date.format',
    'org.recipient', 'org.title',
    'word.banned', 'word.caution',
    ]
# The roles whose text is the document's own wording (版头 lines excepted)
PROSE = {'body', 'heading', 'title', 'recipients', 'attachment', 'note',
    'copy', 'printed', 'signature', 'slice'}


def check(paragraphs, knowledge):
    """[(rule, line, message key, args)] of the paragraphs. Each rule's
    patterns run once over the whole text (in C); the rule itself then
    looks only at the paragraphs they hit: a 1 MB text costs little more
    than its findings."""
    words = {w: (level, suggestion)
        for w, level, suggestion in knowledge.words}
    compiled = sensitive.matcher(tuple(sorted(words)))
    filled = [p for p in paragraphs if p.role != 'blank']
    joined = '\n'.join(p.text for p in filled)
    starts = list(itertools.accumulate(len(p.text) + 1 for p in filled))
    starts = [0] + starts[:-1]
    ends = [start + len(p.text) + 1 for start, p in zip(starts, filled)]

    def hit(patterns, roles=None):
        indexes = set()
        for pattern in patterns:
            if pattern is None:
                continue
            position = 0
            while True:
                match = pattern.search(joined, position)
                if not match:
                    break
                index = bisect.bisect_right(starts, match.start()) - 1
                indexes.add(index)
                # The paragraph is taken: go on from the next one
                position = max(match.end(), ends[index])
        return [filled[i] for i in sorted(indexes)
            if roles is None or filled[i].role in roles]

    def by_role(roles):
        return [p for p in filled if p.role in roles]

    rules = [
        (hit([triggers.DOCNO]), numbers.document_numbers),
        (hit([triggers.LEADING_ZERO]), numbers.leading_zeros),
        (by_role({'date', 'printed'}), numbers.signing_date),
        (hit([punctuation.HALF]), lambda p: punctuation.halfwidth(
                p, numbers.docno_spans(p))),
        (hit([punctuation.PAIRS]), punctuation.pairs),
        (hit([punctuation.REPEAT]), punctuation.repeated),
        (hit([compiled]), lambda p: sensitive.sensitive(p, words, compiled)),
        ([p for p in by_role({'body', 'heading', 'copy'})
                if p.text[-1] != '。'], punctuation.ending),
        (hit([punctuation.SERIAL_TRIGGER], PROSE), punctuation.serial),
        (hit([triggers.LIST], PROSE), punctuation.coordinate),
        (hit([triggers.DATE], PROSE), numbers.dates),
        (hit([triggers.COUNT], PROSE), numbers.counts),
        (hit([triggers.FIXED], PROSE), numbers.fixed_expressions),
        (by_role({'recipients'}), lambda p: organisation.recipients(
                p, knowledge)),
        ]
    found = []
    for targets, rule_check in rules:
        for paragraph in targets:
            for rule, key, args in rule_check(paragraph):
                found.append((rule, paragraph.number, key, args))
    titled = hit([triggers.TITLE], PROSE)
    for paragraph, rule, key, args in organisation.leader_titles(
            titled, knowledge):
        found.append((rule, paragraph.number, key, args))
    order = {r: i for i, r in enumerate(RULES)}
    found.sort(key=lambda f: (f[1], order[f[0]]))
    return found


def findings(texts, knowledge, say=None):
    """The findings of texts (the paragraphs' strings); say(key, **args)
    words a message, in the user's language by default"""
    if say is None:
        say = message
    return [{
            'rule': rule,
            'category': 'text',
            'line': line,
            'message': say(key, line=line, **args),
            'fix': None,
            } for rule, line, key, args in check(text.read(texts), knowledge)]


def message(key, **args):
    return gettext('egov_document.msg_proofread_' + key, **args)


def knowledge(unit=None):
    """What the organisation and the word list tell the rules; the names
    of the county of unit (the sender) are suggested first"""
    pool = Pool()
    Unit = pool.get('egov.org.unit')
    Word = pool.get('egov.document.sensitive_word')
    with without_check_access():
        units = Unit.search_read([('kind', '!=', 'department')],
            fields_names=['name', 'short_name', 'division'])
    division = unit.division.id if unit and unit.division else None
    return organisation.Knowledge(
        units=[(u['name'], u['short_name']) for u in units],
        people=people_of,
        words=Word.words(),
        near=[u['name'] for u in units
            if division and u['division'] == division])


def people_of(names):
    "{name: [their current posts and titles]} of the employees of names"
    pool = Pool()
    Employee = pool.get('egov.org.employee')
    result = {}
    if not names:
        return result
    with without_check_access():
        employees = [e for sub in grouped_slice(sorted(names), IN_MAX)
            for e in Employee.search([('name', 'in', list(sub))])]
        for employee in employees:
            posts = result.setdefault(employee.name, [])
            for assignment in employee.assignments:
                if assignment.current and assignment.post.name not in posts:
                    posts.append(assignment.post.name)
            if employee.title and employee.title not in posts:
                posts.append(employee.title)
    return result


def proofread_text(text_, unit=None):
    """The findings of a plain text (a paragraph a line) against the
    organisation and the word list of the database, for a document of
    unit (egov.org.unit) if given"""
    return findings(text.split_text(text_), knowledge(unit))
