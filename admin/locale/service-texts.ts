// Some rules of the services refuse in plain English text instead of an i18n key (src/users/users.service.ts,
// src/blog/post-images.ts): the back office knows these texts and shows each as its key of
// src/i18n/locales/<lang>/admin.json, in the staff member's language. Any other text is shown as it is.
const SERVICE_TEXT_KEYS: Readonly<Record<string, string>> = {
  'An account with this e-mail already exists.': 'admin.emailTaken',
  'Set a password for the new account.': 'admin.setPassword',
  'You cannot change your own role.': 'admin.notOwnRole',
  'The image file is empty.': 'admin.imageEmpty',
  'The image is larger than 2 MB.': 'admin.imageTooLarge',
  'Only PNG, JPEG, WebP and GIF images can be uploaded.': 'admin.imageKind',
};

/** The i18n key of a rule's message: its own key, or the key of a known English text. */
export function keyOfMessage(keyOrText: string): string {
  return Object.hasOwn(SERVICE_TEXT_KEYS, keyOrText) ? (SERVICE_TEXT_KEYS[keyOrText] ?? keyOrText) : keyOrText;
}
