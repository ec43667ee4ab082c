// The signed-in user's own settings: the profile (name, zone, language), the password, the language switch, the
// data archive and deleting the account.
import type { Request, Response, Router } from 'express';
import type { Sequelize } from 'sequelize';
import { DateTime } from 'luxon';
import { can, currentUser, everyone, guestsOnly } from '../web/middleware/current-user.js';
import { flash } from '../web/middleware/flash.js';
import { LANGUAGE_COOKIE } from '../web/middleware/language.js';
import { formAction, type FormSpec } from '../web/forms.js';
import type { FieldErrors } from '../forms/parse-form.js';
import { zoneChoices } from '../forms/zone-choices.js';
import { redirectAfterAction, safeLocalPath } from '../web/redirects.js';
import { routeParam } from '../web/params.js';
import { routeTable } from '../web/route-table.js';
import { isLanguage } from '../i18n/i18n.js';
import { endSession } from '../web/session-requests.js';
import { changePassword, updateProfile } from './accounts.service.js';
import { accountDeletionForm, passwordChangeForm, profileForm } from './account.forms.js';
import { deleteOwnAccount } from './account-deletion.js';
import { writeDataArchive } from './data-archive.js';

const YEAR_MS = 365 * 24 * 60 * 60 * 1000;

/** Registers /profile and the language switch. */
export function profileRoutes({ sequelize }: { sequelize: Sequelize }): Router {
  const signedIn = can('account:manage');
  return routeTable([
    ['get', '/profile', signedIn, (req, res) => renderProfile(req, res, {})],
    ['post', '/profile', signedIn, formAction(PROFILE, saveProfile)],
    ['post', '/profile/password', signedIn, formAction(PASSWORD, savePassword)],
    ['get', '/profile/data.zip', signedIn, downloadData],
    ['post', '/profile/delete', signedIn, formAction(DELETION, deleteAccount(sequelize))],
    ['get', '/account/deleted', guestsOnly(), accountDeleted],
    ['post', '/language', signedIn, saveLanguage],
    ['get', '/language/:language', everyone(), languageCookie],
  ]);
}

type ProfileView = {
  values?: Record<string, unknown>;
  errors?: FieldErrors;
  passwordErrors?: FieldErrors;
  deletionErrors?: FieldErrors;
};

function renderProfile(req: Request, res: Response, view: ProfileView): void {
  const user = currentUser(req);
  const values = view.values ?? { fullName: user.fullName, timeZone: user.timeZone, language: user.language };
  res.render('accounts/profile', {
    title: req.t('accounts.profile.title'),
    errors: {},
    passwordErrors: {},
    deletionErrors: {},
    now: DateTime.now().setZone(user.timeZone).toFormat('HH:mm'),
    ...view,
    values,
    timeZones: zoneChoices(req.language, values.timeZone),
  });
}

const PROFILE: FormSpec<typeof profileForm> = { schema: profileForm, rerender: renderProfile };
// The password form shows its errors beside its own fields, and the profile form as saved.
const PASSWORD: FormSpec<typeof passwordChangeForm> = {
  schema: passwordChangeForm,
  rerender: (req, res, view) => renderProfile(req, res, { passwordErrors: view.errors }),
};

// The deletion form shows its errors beside its own fields (its password is never echoed back).
const DELETION: FormSpec<typeof accountDeletionForm> = {
  schema: accountDeletionForm,
  secret: ['currentPassword'],
  rerender: (req, res, view) => renderProfile(req, res, { deletionErrors: view.errors }),
};

async function saveProfile(req: Request, res: Response, input: (typeof profileForm)['_output']): Promise<void> {
  const user = await updateProfile(currentUser(req), input);
  flash(req, 'success', req.t('accounts.profile.saved', { lng: user.language }));
  redirectAfterAction(req, res, '/profile');
}

async function savePassword(req: Request, res: Response, input: (typeof passwordChangeForm)['_output']) {
  await changePassword(currentUser(req), input.currentPassword, input.password, req.sessionID);
  flash(req, 'success', req.t('accounts.profile.passwordChanged'));
  redirectAfterAction(req, res, '/profile');
}

// Streamed as it is written; times in the user's zone, headers in their language.
async function downloadData(req: Request, res: Response): Promise<void> {
  const user = currentUser(req);
  const day = DateTime.now().setZone(user.timeZone).toFormat('yyyy-MM-dd');
  res.attachment(`mailer-data-${day}.zip`);
  res.set('Cache-Control', 'no-store');
  await writeDataArchive(res, user, { t: req.t, zone: user.timeZone });
}

// Everything goes, the session too; the confirmation is a page of its own, since no session is left to flash in.
function deleteAccount(sequelize: Sequelize) {
  return async (req: Request, res: Response, input: (typeof accountDeletionForm)['_output']): Promise<void> => {
    await deleteOwnAccount(sequelize, currentUser(req), input.currentPassword);
    await endSession(req, res);
    redirectAfterAction(req, res, '/account/deleted');
  };
}

function accountDeleted(req: Request, res: Response): void {
  res.render('accounts/deleted', { title: req.t('accountData.deletion.doneTitle') });
}

// A signed-in user's choice is saved in the profile (POST, CSRF-checked); a visitor's is only a preference
// cookie, set by a plain link so public pages need no session.
async function saveLanguage(req: Request, res: Response): Promise<void> {
  const language = (req.body as Record<string, unknown>).language;
  if (isLanguage(language)) await updateProfile(currentUser(req), { language });
  redirectAfterAction(req, res, safeLocalPath((req.body as Record<string, unknown>).next, '/'));
}

function languageCookie(req: Request, res: Response): void {
  const language = routeParam(req, 'language');
  if (isLanguage(language)) res.cookie(LANGUAGE_COOKIE, language, { maxAge: YEAR_MS, sameSite: 'lax', httpOnly: true });
  res.redirect(303, safeLocalPath(req.query.next, '/'));
}
