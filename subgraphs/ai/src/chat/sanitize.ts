import sanitizeHtml from 'sanitize-html';

const stripAll: sanitizeHtml.IOptions = {
  allowedTags: [],
  allowedAttributes: {},
  disallowedTagsMode: 'discard',
};

// sanitize-html escapes exactly these in text; the body is stored as plain text, not HTML.
const unescape = (text: string) =>
  text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"').replaceAll('&amp;', '&');

/**
 * Message bodies are plain text: every tag is removed (with the contents of script and style),
 * entities are decoded, and the pass repeats until nothing changes, so markup smuggled in as
 * entities (`&lt;script&gt;`) is removed too. A lone `<` in prose ("5 < 6") survives.
 */
export function sanitizeBody(raw: string): string {
  let text = raw;
  for (let pass = 0; pass < 5; pass++) {
    const next = unescape(sanitizeHtml(text, stripAll));
    if (next === text) break;
    text = next;
  }
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[^\S\n]+/g, ' ')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export const MAX_BODY_LENGTH = 4000;
