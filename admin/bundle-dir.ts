// Where AdminJS writes the bundle of our custom component. The folder name has no leading dot, because Express
// 5's file sender refuses dot-folders (the production components bundle would answer 404).
import path from 'node:path';
import { PROJECT_ROOT } from '../src/config.js';

export const ADMIN_BUNDLE_DIR = path.resolve(PROJECT_ROOT, process.env.ADMIN_JS_TMP_DIR || 'adminjs-bundle');
