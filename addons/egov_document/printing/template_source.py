"""The source of the two print templates (收文处理单, 发文稿纸) shipped with
the module: Relatorio ODT files an administrator may open in LibreOffice
or WPS, change and upload on the report action.

The .odt files beside this one are written by it:
    python -m egov_document.printing.template_source   (from addons/)
An edited template need not keep this layout: it only uses the names of
the report's context (README.md, 打印).

Layout: A4, a bordered table of four columns (label, value, label, value)
under the title; opinion rows high enough to write by hand as well."""
import os
import zipfile
from xml.sax.saxutils import escape

HERE = os.path.dirname(__file__)
MANIFEST = '''<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
 <manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>
 <manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>
 <manifest:file-entry manifest:full-path="Pictures/signature.png" manifest:media-type="image/png"/>
</manifest:manifest>
'''
NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:xlink="http://www.w3.org/1999/xlink" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
    'office:version="1.3"')
# The fonts offices have; the server's PDF maps them to free faces
# (render/fonts.conf), a PC with the licensed fonts prints with them
FONTS = {
    'Title': '方正小标宋简体',
    'Hei': '黑体',
    'FangSong': '仿宋_GB2312',
    'Kai': '楷体_GB2312',
    }
STYLES = '''<?xml version="1.0" encoding="UTF-8"?>
<office:document-styles %(ns)s>
 <office:font-face-decls>%(fonts)s</office:font-face-decls>
 <office:styles>
  <style:default-style style:family="paragraph">
   <style:paragraph-properties fo:line-height="120%%"/>
   <style:text-properties style:font-name="FangSong" style:font-name-asian="FangSong" fo:font-size="12pt" style:font-size-asian="12pt" fo:language="zh" fo:country="CN" style:language-asian="zh" style:country-asian="CN"/>
  </style:default-style>
  <style:style style:name="Standard" style:family="paragraph" style:class="text"/>
  <style:style style:name="Form_Title" style:family="paragraph" style:parent-style-name="Standard">
   <style:paragraph-properties fo:text-align="center" fo:margin-bottom="0.4cm"/>
   <style:text-properties style:font-name="Title" style:font-name-asian="Title" fo:font-size="22pt" style:font-size-asian="22pt" fo:color="%(colour)s"/>
  </style:style>
  <style:style style:name="Form_Label" style:family="paragraph" style:parent-style-name="Standard">
   <style:paragraph-properties fo:text-align="center"/>
   <style:text-properties style:font-name="Hei" style:font-name-asian="Hei" fo:font-size="14pt" style:font-size-asian="14pt" fo:color="%(colour)s"/>
  </style:style>
  <style:style style:name="Form_Value" style:family="paragraph" style:parent-style-name="Standard">
   <style:text-properties fo:font-size="14pt" style:font-size-asian="14pt"/>
  </style:style>
  <style:style style:name="Form_Opinion" style:family="paragraph" style:parent-style-name="Standard">
   <style:paragraph-properties fo:margin-top="0.1cm" fo:text-indent="0.8cm"/>
   <style:text-properties style:font-name="Kai" style:font-name-asian="Kai" fo:font-size="14pt" style:font-size-asian="14pt"/>
  </style:style>
  <style:style style:name="Form_Signed" style:family="paragraph" style:parent-style-name="Standard">
   <style:paragraph-properties fo:text-align="end" fo:margin-bottom="0.15cm"/>
   <style:text-properties fo:font-size="12pt" style:font-size-asian="12pt"/>
  </style:style>
  <style:style style:name="Form_Note" style:family="paragraph" style:parent-style-name="Standard">
   <style:paragraph-properties fo:margin-top="0.2cm"/>
   <style:text-properties fo:font-size="10.5pt" style:font-size-asian="10.5pt"/>
  </style:style>
 </office:styles>
 <office:automatic-styles>
  <style:page-layout style:name="A4">
   <style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm" style:print-orientation="portrait" fo:margin-top="2.5cm" fo:margin-bottom="2cm" fo:margin-left="2.5cm" fo:margin-right="2.5cm"/>
  </style:page-layout>
 </office:automatic-styles>
 <office:master-styles>
  <style:master-page style:name="Standard" style:page-layout-name="A4"/>
 </office:master-styles>
</office:document-styles>
'''
CONTENT = '''<?xml version="1.0" encoding="UTF-8"?>
<office:document-content %(ns)s>
 <office:automatic-styles>
  <style:style style:name="Form" style:family="table">
   <style:table-properties style:width="16cm" table:align="center"/>
  </style:style>
  %(columns)s
  <style:style style:name="Form.Line" style:family="table-row">
   <style:table-row-properties style:min-row-height="1.1cm"/>
  </style:style>
  <style:style style:name="Form.Tall" style:family="table-row">
   <style:table-row-properties style:min-row-height="%(tall)s"/>
  </style:style>
  <style:style style:name="Form.Higher" style:family="table-row">
   <style:table-row-properties style:min-row-height="%(higher)s"/>
  </style:style>
  <style:style style:name="Form.Cell" style:family="table-cell">
   <style:table-cell-properties style:vertical-align="middle" fo:padding="0.15cm" fo:border="0.5pt solid %(colour)s"/>
  </style:style>
  <style:style style:name="Form.Top" style:family="table-cell">
   <style:table-cell-properties style:vertical-align="top" fo:padding="0.15cm" fo:border="0.5pt solid %(colour)s"/>
  </style:style>
  <style:style style:name="Signature" style:family="graphic">
   <style:graphic-properties style:vertical-pos="middle" style:vertical-rel="text" fo:margin-right="0.2cm"/>
  </style:style>
 </office:automatic-styles>
 <office:body>
  <office:text>
   <text:p text:style-name="Form_Title">%(title)s</text:p>
   <table:table table:name="Form" table:style-name="Form">
    %(column_decls)s
%(rows)s
   </table:table>
   <text:p text:style-name="Form_Note">%(note)s</text:p>
  </office:text>
 </office:body>
</office:document-content>
'''
META = '''<?xml version="1.0" encoding="UTF-8"?>
<office:document-meta %(ns)s>
 <office:meta><dc:title>%(title)s</dc:title></office:meta>
</office:document-meta>
'''


def expr(text):
    "A Relatorio placeholder: an expression or a directive"
    return ('<text:placeholder text:placeholder-type="text">&lt;%s&gt;'
        '</text:placeholder>' % escape(text, {'"': '&quot;'}))


def label(text):
    return ('<table:table-cell table:style-name="Form.Cell" '
        'office:value-type="string"><text:p text:style-name="Form_Label">'
        '%s</text:p></table:table-cell>' % text)


def value(name, span=1):
    return cell('<text:p text:style-name="Form_Value">%s</text:p>'
        % expr('form.%s' % name), span)


def cell(body, span=1, style='Form.Cell'):
    spanned = (' table:number-columns-spanned="%d"' % span) if span > 1 else ''
    covered = '<table:covered-table-cell/>' * (span - 1)
    return ('<table:table-cell table:style-name="%s" '
        'office:value-type="string"%s>%s</table:table-cell>%s'
        % (style, spanned, body, covered))


def opinions(step, span=1, extra=''):
    """The opinions of a step, each with who and when, and the handwritten
    signature next to the name where the person signed on the phone"""
    body = ''.join([
            '<text:p>%s</text:p>' % expr(
                'for each="o in form.opinions[%r]"' % step),
            '<text:p text:style-name="Form_Opinion">%s</text:p>'
            % expr('o.text'),
            '<text:p text:style-name="Form_Signed">%s'
            '<draw:frame draw:style-name="Signature" '
            'draw:name="image: o.signature_image" text:anchor-type="as-char" '
            'svg:width="3cm" svg:height="1.2cm"><draw:image '
            'xlink:href="Pictures/signature.png" xlink:type="simple" '
            'xlink:show="embed" '
            'xlink:actuate="onLoad"/></draw:frame>%s%s</text:p>' % (
                expr('if test="o.signature_image"'), expr('/if'),
                expr('o.signed')),
            '<text:p>%s</text:p>' % expr('/for'),
            extra,
            ])
    return cell(body, span, style='Form.Top')


def row(*cells, style='Form.Line'):
    return ('    <table:table-row table:style-name="%s">%s</table:table-row>'
        % (style, ''.join(cells)))


def incoming_rows():
    conclusion = '<text:p text:style-name="Form_Value">%s</text:p>' % expr(
        'form.conclusion')
    return [
        row(label('来文单位'), value('source_name'),
            label('收文日期'), value('received_date')),
        row(label('来文字号'), value('source_number'),
            label('收文编号'), value('register_number')),
        row(label('密　　级'), value('secrecy'),
            label('紧急程度'), value('urgency')),
        row(label('标　　题'), value('title', 3)),
        row(label('承办部门'), value('handlers', 3)),
        row(label('拟办意见'), opinions('propose', 3), style='Form.Tall'),
        row(label('领导批示'), opinions('instruct', 3), style='Form.Higher'),
        row(label('承办结果'), opinions('handle', 3), style='Form.Tall'),
        row(label('办结情况'), opinions('conclude', 3, conclusion)),
        ]


def outgoing_rows():
    return [
        row(label('签　　发'), opinions('sign'), label('会　　签'),
            opinions('cosign'), style='Form.Higher'),
        row(label('核　　稿'), opinions('review', 3), style='Form.Tall'),
        row(label('拟稿单位'), value('department'),
            label('拟 稿 人'), value('drafter')),
        row(label('文　　号'), value('number'),
            label('密　　级'), value('secrecy')),
        row(label('紧急程度'), value('urgency'),
            label('印　　数'), value('copies')),
        row(label('文　　种'), value('kind'),
            label('公开属性'), value('disclosure')),
        row(label('标　　题'), value('title', 3)),
        row(label('主　　送'), value('main_recipients', 3)),
        row(label('抄　　送'), value('copy_recipients', 3)),
        row(label('附　　件'), value('attachments', 3)),
        row(label('用　　印'), value('sealed'),
            label('印发日期'), value('dispatched')),
        ]


def build(rows, widths, tall, higher, note, colour='#000000'):
    names = 'ABCD'
    columns = ''.join(
        '<style:style style:name="Form.%s" style:family="table-column">'
        '<style:table-column-properties style:column-width="%s"/>'
        '</style:style>' % (n, w) for n, w in zip(names, widths))
    column_decls = ''.join(
        '<table:table-column table:style-name="Form.%s"/>' % n
        for n in names)
    fonts = ''.join(
        '<style:font-face style:name="%s" svg:font-family="%s" '
        'style:font-family-generic="roman"/>' % (name, escape(family))
        for name, family in FONTS.items())
    content = CONTENT % {
        'ns': NS, 'columns': columns, 'column_decls': column_decls,
        'tall': tall, 'higher': higher, 'colour': colour,
        'title': expr('form.form_title'), 'rows': '\n'.join(rows),
        'note': note,
        }
    styles = STYLES % {'ns': NS, 'fonts': fonts, 'colour': colour}
    return content, styles


def write(path, content, styles, title):
    with zipfile.ZipFile(path, 'w') as odt:
        # The mimetype first and stored, as ODF asks
        odt.writestr(zipfile.ZipInfo('mimetype'),
            'application/vnd.oasis.opendocument.text',
            compress_type=zipfile.ZIP_STORED)
        odt.writestr('META-INF/manifest.xml', MANIFEST,
            compress_type=zipfile.ZIP_DEFLATED)
        odt.writestr('content.xml', content,
            compress_type=zipfile.ZIP_DEFLATED)
        odt.writestr('styles.xml', styles, compress_type=zipfile.ZIP_DEFLATED)
        odt.writestr('meta.xml', META % {'ns': NS, 'title': title},
            compress_type=zipfile.ZIP_DEFLATED)
        odt.writestr('Pictures/signature.png', signature_placeholder(),
            compress_type=zipfile.ZIP_STORED)


def signature_placeholder():
    "What an editor sees where a signature will be: a grey box marked 签名"
    import io
    from PIL import Image, ImageDraw, ImageFont
    image = Image.new('RGB', (300, 120), (235, 235, 235))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, 299, 119], outline=(160, 160, 160), width=3)
    try:
        font = ImageFont.truetype('NotoSansCJK-Regular.ttc', 48)
    except OSError:
        font = ImageFont.load_default()
    draw.text((150, 60), '签名', fill=(120, 120, 120), font=font,
        anchor='mm')
    data = io.BytesIO()
    image.save(data, 'PNG', optimize=True)
    return data.getvalue()


def main():
    note = '登记人：%s　　打印：%s' % (
        expr('form.registrar'), expr('form.printed'))
    content, styles = build(incoming_rows(),
        ['2.8cm', '5.2cm', '2.8cm', '5.2cm'], '3.6cm', '5cm', note)
    write(os.path.join(HERE, 'incoming_form.odt'), content, styles,
        '收文处理单')
    note = '打印：%s' % expr('form.printed')
    content, styles = build(outgoing_rows(),
        ['2.6cm', '5.4cm', '2.6cm', '5.4cm'], '3.6cm', '5cm', note,
        colour='#C00000')
    write(os.path.join(HERE, 'outgoing_form.odt'), content, styles,
        '发文稿纸')


if __name__ == '__main__':
    main()
