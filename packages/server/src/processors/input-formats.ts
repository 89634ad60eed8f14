/**
 * Formats a type's input schema may name, beyond ajv-formats': each a rule
 * for a string, checked at submit, and what to tell a caller who breaks it.
 */
export const INPUT_FORMATS = Object.freeze({
  /**
   * Text that is said and shown: no NUL or other C0 control character but
   * tab, line feed and carriage return. Speech and caption tools read C
   * strings, so a NUL silently cut the video short; the others are invisible
   * or mean nothing in speech. Refused at submit rather than stripped: the
   * caller learns the text is not what it meant to send.
   */
  'spoken-text': {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
    test: (value: string) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(value),
    message:
      'must not contain NUL or other control characters (U+0000 to U+001F) other than tab, line feed and carriage return',
  },
} as const satisfies Record<string, { test: (value: string) => boolean; message: string }>);

export type InputFormat = keyof typeof INPUT_FORMATS;
