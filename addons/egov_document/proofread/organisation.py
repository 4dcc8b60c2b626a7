"""The names of the text against the organisation: each 主送机关 is a unit
of the platform by its full or short name, and a leader named with a title
(宋涛局长, 副市长郑伟) holds a post of that title."""
import difflib
import re

TITLE = re.compile(
    '(?:常务副|副)?(?:市长|区长|县长|镇长|乡长|局长|厅长|部长|处长|科长|股长|'
    '秘书长|主任|书记|主席|院长|校长|所长|站长|队长|行长|社长|馆长)')
# Names of a group of units, not of one: 各县（市、区）人民政府, 市直各单位
COLLECTIVE = re.compile('各|有关|所属|直属|以下|等单位|等部门|等$')
SEPARATORS = '，、,；;'
MAX_NAMES = 200
# Titles checked in one text: a bound on the people looked up
MAX_TITLES = 2000


class Knowledge:
    """What the rules know of the organisation and the word list: units
    (name, short name), people by name (their posts and titles), and the
    sensitive words (word, level, suggestion)"""

    def __init__(self, units=(), people=None, words=(), near=()):
        # The names of the sender's own county first among equals
        self.near = set(near)
        self.units = {}
        for name, short_name in units:
            self.units.setdefault(name, name)
            if short_name:
                self.units.setdefault(short_name, name)
        self._people = people if callable(people) else (
            lambda names, people=people or {}: {
                n: people[n] for n in names if n in people})
        self.words = list(words)
        # A name is meant as one of ours when it starts as ours do: 宜春市…,
        # 袁州区…, 市…; 江西省文物局 is no unit of the platform to check
        self.prefixes = {n[:2] for n in self.units} | {'市', '区', '县'}

    def people(self, names):
        "{name: [post or title text, …]} of the people of those names"
        return self._people(names)

    def closest_unit(self, name):
        matcher = difflib.SequenceMatcher(b=name)
        best, best_score = None, 0.5
        for candidate in self.units:
            matcher.set_seq1(candidate)
            if matcher.real_quick_ratio() < best_score \
                    or matcher.quick_ratio() < best_score:
                continue
            score = matcher.ratio() + (
                0.01 if self.units[candidate] in self.near else 0)
            if score > best_score:
                best, best_score = candidate, score
        return self.units[best] if best else None


def split_names(text):
    "The names of a 主送 line, 、 inside brackets kept: 各县（市、区）"
    names, current, depth = [], [], 0
    for char in text:
        if char in '（(':
            depth += 1
        elif char in '）)':
            depth = max(0, depth - 1)
        if char in SEPARATORS and not depth:
            names.append(''.join(current).strip())
            current = []
        else:
            current.append(char)
    names.append(''.join(current).strip())
    return [n for n in names if n][:MAX_NAMES]


def recipients(paragraph, knowledge):
    if paragraph.role != 'recipients' or not knowledge.units:
        return
    text = re.sub('^主送[:：]', '', paragraph.text).rstrip('：:。')
    wrong, fixes = [], []
    for name in split_names(text):
        if COLLECTIVE.search(name) or name in knowledge.units or not (
                name[:2] in knowledge.prefixes
                or name[:1] in knowledge.prefixes):
            continue
        wrong.append(name)
        fixes.append(knowledge.closest_unit(name))
    if not wrong:
        return
    found = '、'.join('“%s”' % n for n in wrong)
    if all(fixes):
        yield 'org.recipient', 'recipient', {
            'found': found, 'fix': '、'.join('“%s”' % f for f in fixes)}
    else:
        yield 'org.recipient', 'recipient_unknown', {'found': found}


def title_candidates(text):
    """(title, name candidates, start, end) of each title in text: the
    two or three characters before it (宋涛局长) or after it (副市长郑伟)"""
    for match in TITLE.finditer(text):
        start, end = match.span()
        before = [text[max(0, start - n):start] for n in (3, 2)]
        after = [text[end:end + n] for n in (3, 2)]
        yield match.group(), [c for c in before if len(c) >= 2], [
            c for c in after if len(c) >= 2]


def holds(title, posts):
    "Whether a post text says the title: 副市长 is no 市长"
    for post in posts:
        if title.startswith('副') or title.startswith('常务副'):
            if title.lstrip('常务') in post:
                return True
        elif title in post.replace('副' + title, ''):
            return True
    return False


def leader_titles(paragraphs, knowledge):
    """One query for the people of the whole text, then each title
    checked against the posts of the person it is given to"""
    found = []
    names = set()
    for paragraph in paragraphs:
        if paragraph.role in {'blank', 'docno', 'header'}:
            continue
        for title, before, after in title_candidates(paragraph.text):
            found.append((paragraph, title, before, after))
            names.update(before)
            names.update(after)
        if len(found) >= MAX_TITLES:
            break
    if not found:
        return
    people = knowledge.people(sorted(names))
    reported = set()
    for paragraph, title, before, after in found:
        for candidates, before_title in ((before, True), (after, False)):
            name = next((c for c in candidates if c in people), None)
            if not name:
                continue
            if not holds(title, people[name]):
                key = (paragraph.number, name, title)
                if key not in reported:
                    reported.add(key)
                    yield paragraph, 'org.title', 'title', {
                        'found': name + title if before_title
                        else title + name,
                        'name': name,
                        'posts': '、'.join(people[name]) or '—'}
            break
