import { AppError } from '../errors/app-error';
import { CursorCodec } from './cursor';

describe('CursorCodec', () => {
  const codec = new CursorCodec('a-secret-for-signing-cursors-0123456789');

  it('round-trips the keyset values it issued', () => {
    const cursor = codec.encode(['ALD-01', '4b0c8a2e-0000-4000-8000-000000000001']);
    expect(codec.decode(cursor, 2)).toEqual(['ALD-01', '4b0c8a2e-0000-4000-8000-000000000001']);
  });

  it('refuses a cursor whose values or signature were changed, or one from another server', () => {
    const cursor = codec.encode(['ALD-01', 'id-1']);
    const [payload, signature] = cursor.split('.');
    const changed = Buffer.from(JSON.stringify(['ZZZ', 'id-1'])).toString('base64url');
    for (const bad of [`${changed}.${signature}`, `${payload}.x${signature.slice(1)}`, payload, `${cursor}.extra`, new CursorCodec('another-secret-of-enough-length-000000').encode(['a', 'b'])]) {
      expect(() => codec.decode(bad, 2)).toThrow(AppError);
    }
  });

  it('refuses a cursor from a list with another sort key', () => {
    expect(() => codec.decode(codec.encode(['only-one']), 2)).toThrow(/does not fit this list/);
  });
});
