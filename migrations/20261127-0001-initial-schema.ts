// The initial schema: accounts, address books, messages, mailings, runs, the delivery log, blog, sessions, tokens.
import { DataTypes, type ModelAttributeColumnOptions } from 'sequelize';
import type { MigrationContext } from '../src/db/migrator.js';

type Columns = Record<string, ModelAttributeColumnOptions>;

const id = (): ModelAttributeColumnOptions => ({ type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true });
const timestamps = (): Columns => ({
  created_at: { type: DataTypes.DATE, allowNull: false },
  updated_at: { type: DataTypes.DATE, allowNull: false },
});
const ref = (
  table: string,
  onDelete: 'CASCADE' | 'SET NULL' | 'RESTRICT',
  allowNull: boolean,
): ModelAttributeColumnOptions => ({
  type: DataTypes.INTEGER,
  allowNull,
  references: { model: table, key: 'id' },
  onDelete,
  onUpdate: 'CASCADE',
});
const text = (length: number, allowNull = false): ModelAttributeColumnOptions => ({
  type: DataTypes.STRING(length),
  allowNull,
});
const date = (allowNull = true): ModelAttributeColumnOptions => ({ type: DataTypes.DATE, allowNull });
const counter = (): ModelAttributeColumnOptions => ({ type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 });
const flag = (): ModelAttributeColumnOptions => ({ type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false });

export async function up({ context: { queryInterface, sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    const qi = queryInterface;
    const t = { transaction };

    await qi.createTable(
      'users',
      {
        id: id(),
        email: text(254),
        password_hash: text(100),
        full_name: { ...text(200), defaultValue: '' },
        role: { ...text(20), defaultValue: 'user' },
        is_blocked: flag(),
        blocked_at: date(),
        blocked_by_id: ref('users', 'SET NULL', true),
        blocked_reason: text(500, true),
        email_verified_at: date(),
        time_zone: text(64),
        language: { ...text(5), defaultValue: 'en' },
        ...timestamps(),
      },
      t,
    );
    await sequelize.query('CREATE UNIQUE INDEX users_email_unique ON users (lower(email))', t);
    await qi.addIndex('users', ['role'], { name: 'users_role', ...t });

    await qi.createTable(
      'clients',
      {
        id: id(),
        owner_id: ref('users', 'CASCADE', false),
        email: text(254),
        full_name: { ...text(200), defaultValue: '' },
        comment: { type: DataTypes.TEXT, allowNull: false, defaultValue: '' },
        unsubscribed_at: date(),
        ...timestamps(),
      },
      t,
    );
    await sequelize.query('CREATE UNIQUE INDEX clients_owner_email_unique ON clients (owner_id, lower(email))', t);
    await qi.addIndex('clients', ['email'], { name: 'clients_email', ...t });

    await qi.createTable(
      'messages',
      {
        id: id(),
        owner_id: ref('users', 'CASCADE', false),
        subject: text(300),
        body_text: { type: DataTypes.TEXT, allowNull: false },
        body_html: { type: DataTypes.TEXT, allowNull: true },
        ...timestamps(),
      },
      t,
    );
    await qi.addIndex('messages', ['owner_id'], { name: 'messages_owner', ...t });

    await qi.createTable(
      'mailings',
      {
        id: id(),
        owner_id: ref('users', 'CASCADE', false),
        message_id: ref('messages', 'RESTRICT', false),
        name: text(200),
        start_at: date(false),
        end_at: date(false),
        periodicity: text(10),
        time_zone: text(64),
        status: { ...text(10), defaultValue: 'created' },
        is_disabled: flag(),
        disabled_at: date(),
        disabled_by_id: ref('users', 'SET NULL', true),
        disabled_reason: text(500, true),
        next_run_at: date(),
        ...timestamps(),
      },
      t,
    );
    await qi.addIndex('mailings', ['owner_id'], { name: 'mailings_owner', ...t });
    await qi.addIndex('mailings', ['message_id'], { name: 'mailings_message', ...t });
    await qi.addIndex('mailings', ['status', 'next_run_at'], { name: 'mailings_due', ...t });

    await qi.createTable(
      'mailing_clients',
      {
        mailing_id: { ...ref('mailings', 'CASCADE', false), primaryKey: true },
        client_id: { ...ref('clients', 'CASCADE', false), primaryKey: true },
      },
      t,
    );
    await qi.addIndex('mailing_clients', ['client_id'], { name: 'mailing_clients_client', ...t });

    await qi.createTable(
      'mailing_runs',
      {
        id: id(),
        mailing_id: ref('mailings', 'CASCADE', false),
        scheduled_at: date(false),
        state: { ...text(10), defaultValue: 'pending' },
        total_count: counter(),
        sent_count: counter(),
        failed_count: counter(),
        unknown_count: counter(),
        paused_reason: text(500, true),
        resume_at: date(),
        started_at: date(),
        finished_at: date(),
        ...timestamps(),
      },
      t,
    );
    await qi.addIndex('mailing_runs', ['mailing_id', 'scheduled_at'], {
      name: 'mailing_runs_once_per_time',
      unique: true,
      ...t,
    });
    await qi.addIndex('mailing_runs', ['state'], { name: 'mailing_runs_state', ...t });

    await qi.createTable(
      'deliveries',
      {
        id: id(),
        run_id: ref('mailing_runs', 'CASCADE', false),
        client_id: ref('clients', 'SET NULL', true),
        email: text(254),
        full_name: { ...text(200), defaultValue: '' },
        status: { ...text(10), defaultValue: 'pending' },
        attempt_count: counter(),
        last_attempt_at: date(),
        next_attempt_at: date(),
        smtp_response: { type: DataTypes.TEXT, allowNull: true },
        error_class: text(40, true),
        smtp_message_id: text(300, true),
        lease_owner: text(100, true),
        lease_expires_at: date(),
        sent_at: date(),
        ...timestamps(),
      },
      t,
    );
    await qi.addIndex('deliveries', ['run_id', 'client_id'], {
      name: 'deliveries_once_per_client',
      unique: true,
      ...t,
    });
    await qi.addIndex('deliveries', ['run_id', 'status'], { name: 'deliveries_run_status', ...t });
    await qi.addIndex('deliveries', ['status', 'next_attempt_at'], { name: 'deliveries_due', ...t });
    await qi.addIndex('deliveries', ['status', 'lease_expires_at'], { name: 'deliveries_lease', ...t });
    await qi.addIndex('deliveries', ['client_id'], { name: 'deliveries_client', ...t });

    await qi.createTable(
      'posts',
      {
        id: id(),
        author_id: ref('users', 'SET NULL', true),
        title: text(200),
        content: { type: DataTypes.TEXT, allowNull: false },
        image_path: text(300, true),
        view_count: counter(),
        is_published: flag(),
        published_at: date(),
        ...timestamps(),
      },
      t,
    );
    await qi.addIndex('posts', ['is_published', 'published_at'], { name: 'posts_published', ...t });

    await qi.createTable(
      'sessions',
      {
        sid: { type: DataTypes.STRING(64), primaryKey: true },
        user_id: ref('users', 'CASCADE', true),
        expires: date(false),
        data: { type: DataTypes.TEXT, allowNull: false },
        ...timestamps(),
      },
      t,
    );
    await qi.addIndex('sessions', ['expires'], { name: 'sessions_expires', ...t });
    await qi.addIndex('sessions', ['user_id'], { name: 'sessions_user', ...t });

    await qi.createTable(
      'tokens',
      {
        id: id(),
        user_id: ref('users', 'CASCADE', true),
        client_id: ref('clients', 'CASCADE', true),
        purpose: text(20),
        token_hash: text(64),
        expires_at: date(false),
        used_at: date(),
        created_at: date(false),
      },
      t,
    );
    await qi.addIndex('tokens', ['token_hash'], { name: 'tokens_hash_unique', unique: true, ...t });
    await qi.addIndex('tokens', ['user_id', 'purpose'], { name: 'tokens_user_purpose', ...t });
  });
}

export async function down({ context: { queryInterface, sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    for (const table of [
      'tokens',
      'sessions',
      'posts',
      'deliveries',
      'mailing_runs',
      'mailing_clients',
      'mailings',
      'messages',
      'clients',
      'users',
    ]) {
      await queryInterface.dropTable(table, { transaction });
    }
  });
}
