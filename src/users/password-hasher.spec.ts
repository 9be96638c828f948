import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from './password-hasher';

describe('password hashing', () => {
  it('verifies the right password only, with a fresh salt each time', async () => {
    const first = await hashPassword('correct horse battery staple');
    const second = await hashPassword('correct horse battery staple');
    expect(first).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(first).not.toBe(second);
    await expect(verifyPassword('correct horse battery staple', first)).resolves.toBe(true);
    await expect(verifyPassword('correct horse battery stapler', first)).resolves.toBe(false);
  });

  it('never matches the placeholder used for unknown accounts, and refuses foreign formats', async () => {
    await expect(verifyPassword('anything at all', DUMMY_PASSWORD_HASH)).resolves.toBe(false);
    await expect(verifyPassword('x', 'bcrypt$2b$10$abc')).resolves.toBe(false);
  });
});
