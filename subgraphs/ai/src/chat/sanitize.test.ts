import { describe, expect, it } from 'vitest';
import { sanitizeBody } from './sanitize.ts';

describe('sanitizeBody', () => {
  it('removes tags and script contents, keeps the text', () => {
    expect(sanitizeBody('<p>Hello <b>there</b></p><script>alert(1)</script>')).toBe('Hello there');
    expect(sanitizeBody('<img src=x onerror=alert(1)>Museum pass?')).toBe('Museum pass?');
  });

  it('removes markup smuggled in as entities', () => {
    expect(sanitizeBody('&lt;script&gt;alert(1)&lt;/script&gt;ok')).toBe('ok');
  });

  it('keeps ordinary punctuation as plain text', () => {
    expect(sanitizeBody('Fish & chips for 2 < 3 people? "Yes"')).toBe('Fish & chips for 2 < 3 people? "Yes"');
  });

  it('normalises whitespace and trims', () => {
    expect(sanitizeBody('  line one\r\n\r\n\r\n\r\nline   two  ')).toBe('line one\n\nline two');
    expect(sanitizeBody('<div> </div>')).toBe('');
  });
});
