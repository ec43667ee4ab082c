// The post form's texts, the same wherever a post is written (the back office reads its checkbox and date).
import { textField } from '../forms/text-fields.js';

export const TITLE_MAX = 200;
export const CONTENT_MAX = 200_000;
export const IMAGE_ALT_MAX = 300;

/** A post's title (one line), Markdown content and its image's alt text (one line; empty means the title). */
export const postTextFields = {
  title: textField(TITLE_MAX, { required: true }),
  content: textField(CONTENT_MAX, { required: true, multiline: true }),
  imageAlt: textField(IMAGE_ALT_MAX),
};
