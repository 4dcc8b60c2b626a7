"""Snippets of search results: the window around the first match, the
matches marked however the query was typed, the text escaped."""
import time
import unittest

from ..search import snippet as snippets
from ..search.tokens import Query


def snippet(text, query, **kwargs):
    return snippets.snippet(text, Query(query), **kwargs)


class SnippetTestCase(unittest.TestCase):
    "Snippets"

    def test_chinese_term_marked(self):
        self.assertEqual(snippet('关于公文处理的通知', '公文'),
            '关于<mark>公文</mark>处理的通知')

    def test_parts_of_a_word_marked_as_one(self):
        "会议纪要 is asked as itself or as 会议 and 纪要"
        self.assertEqual(snippet('印发会议纪要，请遵照执行', '会议纪要'),
            '印发<mark>会议纪要</mark>，请遵照执行')
        self.assertEqual(snippet('会议的纪要', '会议纪要'),
            '<mark>会议</mark>的<mark>纪要</mark>')

    def test_pinyin_initials_and_prefix_mark_the_characters(self):
        text = '请各单位做好公文处理工作'
        for query in ['gongwen', 'gw', 'gongw', 'GongWen', 'ｇｏｎｇｗｅｎ']:
            with self.subTest(query=query):
                self.assertEqual(snippet(text, query),
                    '请各单位做好<mark>公文</mark>处理工作')

    def test_every_reading_of_a_character(self):
        "重庆 is chongqing though 重 is mostly zhong; 单 is shan as a surname"
        self.assertIn('<mark>重庆</mark>',
            snippet('重庆银行来函', 'chongqing'))
        self.assertIn('<mark>重庆</mark>', snippet('重庆银行来函', 'cq'))
        self.assertIn('<mark>单伟</mark>', snippet('经办人单伟', 'shanwei'))
        self.assertIn('<mark>单伟</mark>', snippet('经办人单伟', 'danwei'))

    def test_letters_start_a_word(self):
        "oa marks OA, not the oa inside load"
        self.assertEqual(snippet('the load of OA', 'oa'),
            'the load of <mark>OA</mark>')

    def test_window_around_a_far_match(self):
        text = '前' * 500 + '公文' + '后' * 500
        result = snippet(text, 'gongwen')
        self.assertTrue(result.startswith('…' + '前' * snippets.BEFORE))
        self.assertIn('<mark>公文</mark>', result)
        self.assertTrue(result.endswith('…'))
        self.assertEqual(len(result.replace('<mark>', '')
                .replace('</mark>', '')), snippets.WIDTH + 2)

    def test_no_match_gives_the_start(self):
        self.assertEqual(snippet('今天天气很好', 'gongwen'), '今天天气很好')
        self.assertEqual(snippet('', '公文'), '')

    def test_text_escaped(self):
        result = snippet('<script>alert(1)</script>公文 & 附件', 'gw')
        self.assertEqual(result, '&lt;script&gt;alert(1)&lt;/script&gt;'
            '<mark>公文</mark> &amp; 附件')

    def test_long_query_and_symbols_do_not_break_it(self):
        for query in ['x' * 1000, '"\'<>%_', '😀公文', 'select * from']:
            with self.subTest(query=query[:10]):
                self.assertIsInstance(snippet('公文处理 😀 select', query),
                    str)

    def test_cost_bounded(self):
        """嗯 reads n or ng: n…nx over a text of 嗯 can be spelt 2^39 ways
        that all fail at the x. Each (character, letters spelt) is tried
        once, so the snippet comes back at once, not after hours"""
        text = '嗯' * 1500
        started = time.perf_counter()
        result = snippet(text, 'n' * 39 + 'x')
        self.assertLess(time.perf_counter() - started, 5)
        self.assertNotIn('<mark>', result)
