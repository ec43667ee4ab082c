import { expect } from 'chai';
import { runCli } from '../../support/cli.js';
import { makeUser, unique } from '../../support/factories.js';
import { testConfig } from '../../support/hooks.js';

describe('mailer domains', function () {
  this.timeout(60_000);
  const env = () => ({ DATABASE_URL: testConfig().database.url });

  it('when a domain is added for an owner, then it is listed and its records print as zone-file lines in 255-character strings', async () => {
    const owner = await makeUser();
    const name = `${unique('cli')}.example.test`;
    const added = await runCli(['domains', 'add', name, '--owner', owner.email], env());
    expect(added.code, added.stderr).to.equal(0);
    const listed = await runCli(['domains', 'list'], env());
    expect(listed.stdout).to.match(new RegExp(`${name}\\t${owner.email}\\tmailer\\d{6}\\tnot verified`));
    const dns = await runCli(['domains', 'dns', name], env());
    const lines = dns.stdout.trim().split('\n');
    expect(lines[0]).to.match(
      new RegExp(
        `^mailer\\d{6}\\._domainkey\\.${name.replace(/\./g, '\\.')}\\. IN TXT "v=DKIM1; k=rsa; p=[^"]{237}" "[^"]+"$`,
      ),
    );
    expect(lines.slice(1)).to.deep.equal([
      `${name}. IN TXT "v=spf1 mx ~all"`,
      `_dmarc.${name}. IN TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@${name}; adkim=r; aspf=r"`,
    ]);
    expect(added.stdout + dns.stdout).not.to.contain('PRIVATE');
  });

  it('when the input is bad, then one clear line and a non-zero exit', async () => {
    const cases: [string[], RegExp][] = [
      [['domains', 'add', 'not_a_domain'], /^mailer: "not_a_domain" is not a domain name mail can be sent from\n$/],
      [
        ['domains', 'add', `${unique('n')}.example.test`, '--owner', 'nobody@example.test'],
        /^mailer: No user with the e-mail nobody@example.test\n$/,
      ],
      [['domains', 'dns', 'unknown.example.test'], /^mailer: No sending domain "unknown.example.test"/],
      [['domains', 'check', 'unknown.example.test'], /^mailer: No sending domain "unknown.example.test"/],
    ];
    for (const [args, stderr] of cases) {
      const result = await runCli(args, env());
      expect(result.code, args.join(' ')).to.equal(1);
      expect(result.stderr).to.match(stderr);
    }
  });
});
