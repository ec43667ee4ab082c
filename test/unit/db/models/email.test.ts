import { expect } from 'chai';
import { isStorableEmail } from '../../../../src/db/models/email.js';

describe('which e-mail addresses are stored', () => {
  const accepted = ['ada@example.test', 'first.last+tag@sub.example.co', "o'neil@example.test", 'x@xn--80ak6aa92e.com'];
  for (const address of accepted)
    it(`when the address is ${address}, then it is accepted`, () => {
      expect(isStorableEmail(address)).to.equal(true);
    });

  const refused: [string, string][] = [
    ['a quoted local part with markup', '"</script><script>alert(1)</script>"@x.test'],
    ['a quoted local part', '"ada lovelace"@example.test'],
    ['angle brackets', 'a<b>@example.test'],
    ['a display name', 'Ada <ada@example.test>'],
    ['a NUL', 'ada\u0000@example.test'],
    ['a line break', 'ada@example.test\r\nBcc: all@example.test'],
    ['a tab', 'ada\t@example.test'],
    ['a backslash', 'a\\b@example.test'],
    ['a line separator', 'ada\u2028@example.test'],
    ['an IP domain', 'ada@[127.0.0.1]'],
    ['no domain', 'ada@'],
    ['too long', `${'a'.repeat(64)}@${'b'.repeat(186)}.test`],
  ];
  for (const [what, address] of refused)
    it(`when the address has ${what}, then it is refused`, () => {
      expect(isStorableEmail(address), JSON.stringify(address)).to.equal(false);
    });
});
