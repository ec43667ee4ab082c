// How the managers' list of users is sorted (`sort`, `dir` in its query string).
import { listSortForm, type ListSort } from '../forms/list-sort.js';

/** The columns the users list sorts by. */
export const USER_SORT_KEYS = ['email', 'name', 'role', 'created'] as const;
export type UserSort = ListSort<(typeof USER_SORT_KEYS)[number]>;

/** The users list's order unless asked otherwise: by e-mail. */
export const USER_SORT_DEFAULT: UserSort = { sort: 'email', dir: 'asc' };

/** The users list's sort parameters; an unknown value is the default. */
export const userSortForm = listSortForm(USER_SORT_KEYS, USER_SORT_DEFAULT);
