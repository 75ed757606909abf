import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Secrets at rest: AES-256-GCM from node:crypto, a fresh 12-byte nonce each
 * time, and the text bound to where it is kept (`context`, authenticated but
 * not stored), so a sealed value copied into another row does not open there.
 * Sealed text reads `v1.<nonce>.<tag>.<ciphertext>`, each part base64url.
 */
export class Sealer {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the token encryption key must be 32 bytes');
  }

  seal(plain: string, context: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', nonce, cipher.getAuthTag(), body]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  /** The plain text; throws SealedError when the key is not the one it was sealed with, or it was changed. */
  open(sealed: string, context: string): string {
    const [version, nonce, tag, body] = sealed.split('.');
    if (version !== 'v1' || nonce === undefined || tag === undefined || body === undefined)
      throw new SealedError();
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(nonce, 'base64url'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(body, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch (error) {
      throw new SealedError({ cause: error });
    }
  }
}

export class SealedError extends Error {
  constructor(options?: ErrorOptions) {
    super(
      'a stored token does not open with TOKEN_ENCRYPTION_KEY: the key changed, or the row was altered',
      options,
    );
  }
}
