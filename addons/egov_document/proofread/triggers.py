"""Cheap patterns that find the paragraphs a rule must look at. Python's
re skips quickly to a pattern's first literal or rare character, but tries
every position of a pattern that starts with a common class ([一-龥]{1,10}
or \\d): a trigger starts with what is rare, and each must find every
paragraph its rule could report (the rule then decides)."""
import re

# 〔2026〕 [2026] （2026） … of a 发文字号
DOCNO = re.compile(r'[〔\[【(（［{]\s*\d{4}\s*[〕\]】)）］}]')
LEADING_ZERO = re.compile('年0|月0')
# 甲，乙，丙等  要…、要…  》、《
LIST = re.compile('等|、要|、应当|、必须|、务必|[》”]、')
# A Chinese numeral in a date: 二〇二六年, 十二月, 三日 (all Arabic is right)
DATE = re.compile('[〇零○Ｏ一二三四五六七八九十][年月日]')
# 百分之…, and counts of ten or more (十 百 千 万 亿)
COUNT = re.compile('百分之|[十百千万亿]')
FIXED = re.compile(r'、\d|星期|五|中全会|把手')
# The last character of each title (局长, 书记, 主任, 主席)
TITLE = re.compile('[长记任席]')
