// What the demo customers' accounts hold: an English-speaking customer and a Russian-speaking one (Moscow time),
// each with an address book, three messages and three mailings, so a first look works in either language.
import type { Language } from '../src/db/models/index.js';

export interface DemoMessage {
  subject: string;
  bodyText: string;
  bodyHtml: string | null;
}

export interface DemoCustomer {
  email: string;
  fullName: string;
  language: Language;
  /** null: the zone the service runs in (TIME_ZONE). */
  timeZone: string | null;
  /** The address book: full name and e-mail. */
  clients: (readonly [string, string])[];
  clientComment: string;
  /** Three messages: a catalogue, a digest, a notice. */
  messages: readonly [DemoMessage, DemoMessage, DemoMessage];
  /** The names of the mailings of those messages: created, running, completed. */
  mailingNames: readonly [string, string, string];
}

const FIRST_NAMES = ['Anna', 'Boris', 'Chloe', 'Dmitri', 'Elena', 'Felix', 'Galina', 'Hugo', 'Irina', 'Jonas'];
const LAST_NAMES = ['Ivanova', 'Smith', 'Petrov', 'Garcia'];

const ENGLISH: DemoCustomer = {
  email: 'demo@example.com',
  fullName: 'Dana Demo',
  language: 'en',
  timeZone: null,
  clients: FIRST_NAMES.flatMap((first) =>
    LAST_NAMES.map((last) => [`${first} ${last}`, `${first}.${last}@example.org`.toLowerCase()] as const),
  ),
  clientComment: 'demo client',
  messages: [
    {
      subject: 'Welcome to our spring catalogue',
      bodyText:
        'Hello {{full_name}},\n\nOur spring catalogue is out. Reply to this letter if you want a printed copy.\n',
      bodyHtml: '<p>Hello {{full_name}},</p><p>Our <strong>spring catalogue</strong> is out.</p>',
    },
    {
      subject: 'Your weekly digest',
      bodyText: 'Hello {{full_name}},\n\nHere is what happened this week.\n',
      bodyHtml: null,
    },
    {
      subject: 'We have moved',
      bodyText: 'Hello {{full_name}},\n\nOur office has moved to a new address. Nothing else changes.\n',
      bodyHtml: null,
    },
  ],
  mailingNames: ['Spring catalogue (starts tomorrow)', 'Weekly digest', 'Office move notice'],
};

// Russian names agree in gender (Иванов, Иванова), so the address book is written out whole.
const RUSSIAN_CLIENTS: [string, string][] = [
  ['Анна Иванова', 'anna.ivanova'],
  ['Борис Петров', 'boris.petrov'],
  ['Вера Смирнова', 'vera.smirnova'],
  ['Глеб Кузнецов', 'gleb.kuznetsov'],
  ['Дарина Соколова', 'darina.sokolova'],
  ['Егор Попов', 'egor.popov'],
  ['Жанна Лебедева', 'zhanna.lebedeva'],
  ['Захар Козлов', 'zakhar.kozlov'],
  ['Ирина Новикова', 'irina.novikova'],
  ['Кирилл Морозов', 'kirill.morozov'],
  ['Лариса Волкова', 'larisa.volkova'],
  ['Михаил Соловьёв', 'mikhail.solovyov'],
  ['Надежда Васильева', 'nadezhda.vasilyeva'],
  ['Олег Зайцев', 'oleg.zaytsev'],
  ['Полина Павлова', 'polina.pavlova'],
  ['Роман Семёнов', 'roman.semyonov'],
  ['Светлана Голубева', 'svetlana.golubeva'],
  ['Тимур Виноградов', 'timur.vinogradov'],
  ['Ульяна Богданова', 'ulyana.bogdanova'],
  ['Фёдор Воробьёв', 'fyodor.vorobyov'],
  ['Юлия Фёдорова', 'yulia.fyodorova'],
  ['Ярослав Михайлов', 'yaroslav.mikhailov'],
  ['Елена Беляева', 'elena.belyaeva'],
  ['Дмитрий Тарасов', 'dmitry.tarasov'],
];

const RUSSIAN: DemoCustomer = {
  email: 'demo.ru@example.com',
  fullName: 'Дарья Демидова',
  language: 'ru',
  timeZone: 'Europe/Moscow',
  clients: RUSSIAN_CLIENTS.map(([name, local]) => [name, `${local}@example.ru`] as const),
  clientComment: 'демо-клиент',
  messages: [
    {
      subject: 'Весенний каталог уже вышел',
      bodyText:
        'Здравствуйте, {{full_name}}!\n\nВышел наш весенний каталог. Ответьте на это письмо, если хотите печатный.\n',
      bodyHtml: '<p>Здравствуйте, {{full_name}}!</p><p>Вышел наш <strong>весенний каталог</strong>.</p>',
    },
    {
      subject: 'Новости недели',
      bodyText: 'Здравствуйте, {{full_name}}!\n\nВот что произошло за неделю.\n',
      bodyHtml: null,
    },
    {
      subject: 'Мы переехали',
      bodyText: 'Здравствуйте, {{full_name}}!\n\nНаш офис переехал по новому адресу. Всё остальное без изменений.\n',
      bodyHtml: null,
    },
  ],
  mailingNames: ['Весенний каталог (начнётся завтра)', 'Новости недели', 'Уведомление о переезде'],
};

/** The demo customers, English first. */
export const DEMO_CUSTOMERS: readonly DemoCustomer[] = [ENGLISH, RUSSIAN];
