// The back office's names for resources, navigation groups and fields (AdminJS shows raw ids otherwise).
import type { LocaleTranslations } from 'adminjs';

export const ADMIN_TEXTS: LocaleTranslations = {
  labels: {
    users: 'Accounts',
    clients: 'Clients',
    messages: 'Messages',
    mailings: 'Mailings',
    mailing_runs: 'Runs',
    deliveries: 'Delivery log',
    posts: 'Blog posts',
    Accounts: 'Accounts',
    'Customers’ data': 'Customers’ data',
    Delivery: 'Delivery',
    Blog: 'Blog',
  },
  properties: {
    image: 'Image',
    imagePath: 'Image file',
    removeImage: 'Remove the image',
    newPassword: 'New password',
    isBlocked: 'Blocked',
    blockedById: 'Blocked by',
    ownerId: 'Owner',
    authorId: 'Author',
    emailVerifiedAt: 'E-mail verified at',
  },
};
