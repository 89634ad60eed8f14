import { strToU8, zipSync } from 'fflate';

/**
 * Small documents in every format, each with the exact list of texts a
 * translator must be asked for (written by hand, not by the code under test).
 */
export interface Fixture {
  filename: string;
  contentType: string;
  bytes: Uint8Array;
  /** Every piece of prose, once each. */
  texts: string[];
  /** Text that must come out byte for byte (code, URLs, markup). */
  kept: string[];
}

const text = (s: string) => new TextEncoder().encode(s);

export const plainTextFixture: Fixture = {
  filename: 'notes.txt',
  contentType: 'text/plain',
  bytes: text(
    'Meeting notes\n\nThe team agreed on the plan.\nWork starts on Monday.\n\n- Buy supplies\n- Book the room\n  for two days\n\n2024\n',
  ),
  texts: [
    'Meeting notes',
    'The team agreed on the plan. Work starts on Monday.',
    'Buy supplies',
    'Book the room for two days',
  ],
  kept: ['2024\n'],
};

export const markdownFixture: Fixture = {
  filename: 'README.md',
  contentType: 'text/markdown',
  bytes: text(
    [
      '---',
      'title: Project guide',
      'tags: [docs]',
      '---',
      '',
      '# Getting started',
      '',
      'Install the tool with `npm install longrun` and read [the manual](https://example.com/manual "Manual").',
      'Questions go to <https://example.com/help>.',
      '',
      '> Keep your keys',
      '> in a safe place.',
      '',
      '1. Open the *settings* page',
      '2. Choose a **language**',
      '',
      '```bash',
      'echo "do not translate"',
      '```',
      '',
      '| Name | Size |',
      '| ---- | ---- |',
      '| First file | 42 |',
      '',
      '<div class="note">Raw HTML block</div>',
      '',
      '![A diagram of the flow](flow.png)',
      '',
    ].join('\n'),
  ),
  texts: [
    'Getting started',
    'Install the tool with',
    'and read',
    'the manual',
    '. Questions go to',
    'Keep your keys in a safe place.',
    'Open the',
    'settings',
    'page',
    'Choose a',
    'language',
    'Name',
    'Size',
    'First file',
    'A diagram of the flow',
  ],
  kept: [
    '---\ntitle: Project guide\ntags: [docs]\n---\n',
    '`npm install longrun`',
    '(https://example.com/manual "Manual")',
    '<https://example.com/help>',
    '```bash\necho "do not translate"\n```',
    '<div class="note">Raw HTML block</div>',
    '(flow.png)',
    '| 42 |',
    '\n1. ',
    '\n2. ',
    '\n# ',
  ],
};

export const subRipFixture: Fixture = {
  filename: 'talk.en.srt',
  contentType: 'application/x-subrip',
  bytes: text(
    [
      '1',
      '00:00:01,000 --> 00:00:04,200',
      'Welcome to the show,',
      'my friends.',
      '',
      '2',
      '00:00:04,500 --> 00:00:06,000 X1:100 X2:600 Y1:50 Y2:90',
      '<i>Tonight we talk about rivers.</i>',
      '',
      '3',
      '00:00:06,100 --> 00:00:08,000',
      '- Are you ready?',
      '- Always.',
      '',
      '4',
      '00:00:08,000 --> 00:00:09,000',
      '♪ ♪',
      '',
      '5',
      '00:00:09,500 --> 00:00:11,000',
      '{\\an8}I <b>really</b> mean it.',
      '',
    ].join('\r\n'),
  ),
  texts: [
    'Welcome to the show, my friends.',
    'Tonight we talk about rivers.',
    'Are you ready?',
    'Always.',
    'I',
    'really',
    'mean it.',
  ],
  kept: ['X1:100 X2:600 Y1:50 Y2:90', '♪ ♪', '{\\an8}'],
};

export const webVttFixture: Fixture = {
  filename: 'lecture.vtt',
  contentType: 'text/vtt',
  bytes: text(
    [
      'WEBVTT - Lecture one',
      'Kind: captions',
      '',
      'NOTE This note stays as it is,',
      'whatever it says.',
      '',
      'STYLE',
      '::cue(.loud) { color: yellow }',
      '',
      'intro',
      '00:00.000 --> 00:02.500 align:start position:10% line:0',
      '<v Professor>Good morning &amp; welcome',
      'to the lecture.',
      '',
      '00:00:03.000 --> 00:00:05.000',
      '<c.loud>Please sit down.</c>',
      '',
      '00:00:05.000 --> 00:00:06.000',
      '<00:00:05.000>Three <00:00:05.500>words here',
      '',
    ].join('\n'),
  ),
  texts: ['Good morning & welcome to the lecture.', 'Please sit down.', 'Three', 'words here'],
  kept: [
    'NOTE This note stays as it is,\nwhatever it says.',
    'STYLE\n::cue(.loud) { color: yellow }',
    'intro\n00:00.000 --> 00:02.500 align:start position:10% line:0\n<v Professor>',
  ],
};

export const htmlFixture: Fixture = {
  filename: 'page.html',
  contentType: 'text/html',
  bytes: text(`<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Travel guide</title>
  <style>p { color: #333; } /* Keep me */</style>
  <script>const greeting = "Hello there";</script>
</head>
<body class="page" data-id="7">
  <!-- A comment that stays -->
  <h1 id="top">Visit the mountains</h1>
  <p>The trail is <strong>steep</strong> but the view is worth it &amp; more.</p>
  <img src="peak.jpg" alt="Snow on the peak" width=300>
  <a href="/book?x=1&amp;y=2" title='Book a trip'>Book now</a>
  <input type="text" placeholder="Your e-mail" name=email>
  <pre>  keep   this   spacing  </pre>
  <p>Run <code>trail --start</code> to begin.</p>
  <p translate="no">BrandName</p>
  <table><tr><td>Day one</td><td>12 km</td></tr></table>
</body>
</html>
`),
  texts: [
    'Travel guide',
    'Visit the mountains',
    'The trail is',
    'steep',
    'but the view is worth it & more.',
    'Snow on the peak',
    'Book a trip',
    'Book now',
    'Your e-mail',
    'Run',
    'to begin.',
    'Day one',
    '12 km',
  ],
  kept: [
    '<style>p { color: #333; } /* Keep me */</style>',
    '<script>const greeting = "Hello there";</script>',
    '<!-- A comment that stays -->',
    '<pre>  keep   this   spacing  </pre>',
    '<code>trail --start</code>',
    '<p translate="no">BrandName</p>',
    'href="/book?x=1&amp;y=2"',
  ],
};

const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
const R = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const part = (root: string, body: string) =>
  `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<w:${root} xmlns:w="${W}" xmlns:r="${R}" xmlns:v="urn:schemas-microsoft-com:vml">${body}</w:${root}>`;
const run = (t: string, rPr = '', rsid = '00A1') =>
  `<w:r w:rsidR="${rsid}">${rPr ? `<w:rPr>${rPr}</w:rPr>` : ''}<w:t xml:space="preserve">${t}</w:t></w:r>`;
const para = (runs: string, pPr = '') => `<w:p>${pPr ? `<w:pPr>${pPr}</w:pPr>` : ''}${runs}</w:p>`;

/** A small PNG-like blob, stored uncompressed as Word does with media. */
export const IMAGE_BYTES = Uint8Array.from({ length: 300 }, (_, i) => (i * 37) % 256);

/** A DOCX as Word writes one: runs cut by revision ids, bold words, a table, fields, header, footer, footnotes. */
export function docxFixture(): Fixture {
  const body = [
    para(run('Annual report', '<w:b/>'), '<w:pStyle w:val="Heading1"/><w:rPr><w:b/></w:rPr>'),
    para(
      run('The quick brown ', '', '00A1') +
        run('fox jumps', '', '00B2') +
        run(' over the lazy dog.', '', '00C3'),
    ),
    para(run('This is ') + run('important', '<w:b/>') + run(' for everyone.')),
    para(`${run('Name:')}<w:r><w:tab/></w:r>${run('Ada Lovelace')}`),
    para(
      `<w:hyperlink r:id="rId9" w:history="1">${run('Visit our site', '<w:rStyle w:val="Hyperlink"/>')}</w:hyperlink>`,
    ),
    para(`${run('Research &amp; development')}<w:r><w:footnoteReference w:id="1"/></w:r>`),
    `<w:tbl><w:tr><w:tc>${para(run('Cell one'))}</w:tc><w:tc>${para(run('2024'))}</w:tc></w:tr></w:tbl>`,
    para(
      `${run('Before the box')}<w:r><w:pict><v:shape><v:textbox><w:txbxContent>${para(run('Text in a box'))}</w:txbxContent></v:textbox></v:shape></w:pict></w:r>${run(' after the box')}`,
    ),
    '<w:p/>',
    '<w:sectPr><w:headerReference w:type="default" r:id="rId2"/><w:footerReference w:type="default" r:id="rId3"/></w:sectPr>',
  ].join('');
  const files = {
    '[Content_Types].xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/><Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/><Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>`,
    '_rels/.rels': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`,
    'word/_rels/document.xml.rels': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId2" Type="${R}/header" Target="header1.xml"/><Relationship Id="rId3" Type="${R}/footer" Target="footer1.xml"/><Relationship Id="rId4" Type="${R}/footnotes" Target="footnotes.xml"/><Relationship Id="rId5" Type="${R}/image" Target="media/image1.png"/><Relationship Id="rId9" Type="${R}/hyperlink" Target="https://example.com/" TargetMode="External"/></Relationships>`,
    'word/document.xml': part('document', `<w:body>${body}</w:body>`),
    'word/header1.xml': part('hdr', para(run('Company confidential'))),
    'word/footer1.xml': part(
      'ftr',
      para(
        `${run('Page ')}<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>${run('1')}<w:r><w:fldChar w:fldCharType="end"/></w:r>`,
      ),
    ),
    'word/footnotes.xml': part(
      'footnotes',
      `<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote><w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote><w:footnote w:id="1"><w:p><w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteRef/></w:r>${run(' The footnote explains it.')}</w:p></w:footnote>`,
    ),
  };
  const zipped = zipSync({
    ...Object.fromEntries(Object.entries(files).map(([name, xml]) => [name, strToU8(xml)])),
    'word/media/image1.png': [IMAGE_BYTES, { level: 0 }],
  });
  return {
    filename: 'report.docx',
    contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    bytes: zipped,
    texts: [
      'Annual report',
      'The quick brown fox jumps over the lazy dog.',
      'This is important for everyone.',
      'Name:',
      'Ada Lovelace',
      'Visit our site',
      'Research & development',
      'Cell one',
      'Before the box',
      'Text in a box',
      'after the box',
      'Company confidential',
      'Page',
      'The footnote explains it.',
    ],
    kept: [],
  };
}
