// Every model and every relation between them, bound to one connection.
import type { Sequelize } from 'sequelize';
import { Client } from './client.js';
import { ClientImport } from './client-import.js';
import { Delivery } from './delivery.js';
import { Image } from './image.js';
import { Mailing } from './mailing.js';
import { MailingClient } from './mailing-client.js';
import { MailingRun } from './mailing-run.js';
import { Message } from './message.js';
import { Post } from './post.js';
import { SenderIdentity } from './sender-identity.js';
import { SendingDomain } from './sending-domain.js';
import { Session } from './session.js';
import { Suppression } from './suppression.js';
import { TestSend } from './test-send.js';
import { Token } from './token.js';
import { User } from './user.js';

export {
  Client,
  ClientImport,
  Delivery,
  Image,
  Mailing,
  MailingClient,
  MailingRun,
  Message,
  Post,
  Session,
  Suppression,
  TestSend,
  Token,
  User,
};
export * from './suppression.js';
export { SenderIdentity, SendingDomain };
export * from './client.js';
export * from './client-import.js';
export * from './delivery.js';
export * from './mailing.js';
export * from './mailing-run.js';
export * from './post.js';
export * from './token.js';
export * from './user.js';
export { normaliseEmail } from './email.js';

/** The connection the models were bound to, for raw statements in services that receive no connection. */
export function boundDatabase(): Sequelize {
  const sequelize = Client.sequelize;
  if (!sequelize) throw new Error('the models are not bound to a database');
  return sequelize;
}

const required = (name: string) => ({ name, allowNull: false });
const optional = (name: string) => ({ name, allowNull: true });

/** Every model, parents before children. */
const ALL_MODELS = [
  User,
  Client,
  Message,
  Mailing,
  MailingClient,
  MailingRun,
  Delivery,
  Post,
  Image,
  Session,
  Token,
  TestSend,
  Suppression,
  ClientImport,
  SendingDomain,
  SenderIdentity,
] as const;

/** Initialises all models on the connection and declares the relations the migrations create. */
export function initModels(sequelize: Sequelize): void {
  for (const model of ALL_MODELS) model.initModel(sequelize);

  User.belongsTo(User, { as: 'blockedBy', foreignKey: optional('blockedById'), onDelete: 'SET NULL' });

  User.hasMany(Client, { as: 'clients', foreignKey: required('ownerId'), onDelete: 'CASCADE' });
  Client.belongsTo(User, { as: 'owner', foreignKey: required('ownerId'), onDelete: 'CASCADE' });

  User.hasMany(Message, { as: 'messages', foreignKey: required('ownerId'), onDelete: 'CASCADE' });
  Message.belongsTo(User, { as: 'owner', foreignKey: required('ownerId'), onDelete: 'CASCADE' });

  User.hasMany(Mailing, { as: 'mailings', foreignKey: required('ownerId'), onDelete: 'CASCADE' });
  Mailing.belongsTo(User, { as: 'owner', foreignKey: required('ownerId'), onDelete: 'CASCADE' });
  Mailing.belongsTo(User, { as: 'disabledBy', foreignKey: optional('disabledById'), onDelete: 'SET NULL' });
  Message.hasMany(Mailing, { as: 'mailings', foreignKey: required('messageId'), onDelete: 'RESTRICT' });
  Mailing.belongsTo(Message, { as: 'message', foreignKey: required('messageId'), onDelete: 'RESTRICT' });

  Mailing.belongsToMany(Client, {
    through: MailingClient,
    as: 'clients',
    foreignKey: 'mailingId',
    otherKey: 'clientId',
  });
  Client.belongsToMany(Mailing, {
    through: MailingClient,
    as: 'mailings',
    foreignKey: 'clientId',
    otherKey: 'mailingId',
  });

  Mailing.hasMany(MailingRun, { as: 'runs', foreignKey: required('mailingId'), onDelete: 'CASCADE' });
  MailingRun.belongsTo(Mailing, { as: 'mailing', foreignKey: required('mailingId'), onDelete: 'CASCADE' });

  MailingRun.hasMany(Delivery, { as: 'deliveries', foreignKey: required('runId'), onDelete: 'CASCADE' });
  Delivery.belongsTo(MailingRun, { as: 'run', foreignKey: required('runId'), onDelete: 'CASCADE' });
  // A plain reference, no foreign key: the log keeps the id it was written for (migration 0004 says why).
  Client.hasMany(Delivery, { as: 'deliveries', foreignKey: optional('clientId'), constraints: false });
  Delivery.belongsTo(Client, { as: 'client', foreignKey: optional('clientId'), constraints: false });

  User.hasMany(TestSend, { as: 'testSends', foreignKey: required('userId'), onDelete: 'CASCADE' });
  Message.hasMany(TestSend, { as: 'testSends', foreignKey: optional('messageId'), onDelete: 'SET NULL' });
  TestSend.belongsTo(User, { as: 'user', foreignKey: required('userId'), onDelete: 'CASCADE' });
  TestSend.belongsTo(Message, { as: 'message', foreignKey: optional('messageId'), onDelete: 'SET NULL' });

  User.hasMany(Suppression, { as: 'suppressions', foreignKey: required('ownerId'), onDelete: 'CASCADE' });
  Suppression.belongsTo(User, { as: 'owner', foreignKey: required('ownerId'), onDelete: 'CASCADE' });
  User.hasMany(ClientImport, { as: 'clientImports', foreignKey: required('ownerId'), onDelete: 'CASCADE' });
  ClientImport.belongsTo(User, { as: 'owner', foreignKey: required('ownerId'), onDelete: 'CASCADE' });
  associateSenders();

  Post.belongsTo(User, { as: 'author', foreignKey: optional('authorId'), onDelete: 'SET NULL' });
  Session.belongsTo(User, { as: 'user', foreignKey: optional('userId'), onDelete: 'CASCADE' });
  Token.belongsTo(User, { as: 'user', foreignKey: optional('userId'), onDelete: 'CASCADE' });
  Token.belongsTo(Client, { as: 'client', foreignKey: optional('clientId'), onDelete: 'CASCADE' });
}

/** Sending domains (an admin's have no owner) and the identities on them. */
function associateSenders(): void {
  User.hasMany(SendingDomain, { as: 'sendingDomains', foreignKey: optional('ownerId'), onDelete: 'CASCADE' });
  SendingDomain.belongsTo(User, { as: 'owner', foreignKey: optional('ownerId'), onDelete: 'CASCADE' });
  User.hasMany(SenderIdentity, { as: 'senderIdentities', foreignKey: required('ownerId'), onDelete: 'CASCADE' });
  SenderIdentity.belongsTo(User, { as: 'owner', foreignKey: required('ownerId'), onDelete: 'CASCADE' });
  SendingDomain.hasMany(SenderIdentity, { as: 'identities', foreignKey: required('domainId'), onDelete: 'CASCADE' });
  SenderIdentity.belongsTo(SendingDomain, { as: 'domain', foreignKey: required('domainId'), onDelete: 'CASCADE' });
  // A mailing's senderIdentityId is a plain column on its model (mailing.ts), no association: the back office
  // would otherwise show and fuzz a reference to a resource it does not have.
}
