import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { API_KEY_PREFIX, ApiKeysService, hashApiKey } from '../api-keys/api-keys.service';
import { PrincipalCache } from '../common/auth/principal-cache';
import { Actor } from '../common/auth/actor';
import { AppError } from '../common/errors/app-error';
import { APP_CONFIG, AppConfig } from '../infra/config/app-config';
import { UsersService } from '../users/users.service';
import { LoginResponseDto } from './dto/login.dto';

interface AccessTokenClaims {
  sub: string;
  role: string;
}

@Injectable()
export class AuthService {
  constructor(
    private readonly jwt: JwtService,
    private readonly users: UsersService,
    private readonly apiKeys: ApiKeysService,
    private readonly principals: PrincipalCache,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async login(email: string, password: string): Promise<LoginResponseDto> {
    const user = await this.users.verifyCredentials(email, password);
    if (!user) throw AppError.unauthorized('E-mail or password is wrong, or the account is disabled');
    const claims: AccessTokenClaims = { sub: user.id, role: user.role };
    const accessToken = await this.jwt.signAsync(claims, { algorithm: 'HS256', expiresIn: this.config.jwtExpiresInSeconds });
    return { accessToken, expiresIn: this.config.jwtExpiresInSeconds, user };
  }

  /**
   * Resolves a bearer credential to the caller. JWTs are checked for an HS256 signature and
   * expiry, then the account is re-read so a disabled user or a changed role takes effect at once.
   */
  async authenticate(credential: string, requestId: string): Promise<Actor> {
    if (credential.startsWith(API_KEY_PREFIX)) {
      const key = await this.principals.get(`key:${hashApiKey(credential)}`, () => this.apiKeys.resolve(credential));
      if (!key) throw AppError.unauthorized('The API key is unknown or revoked');
      return { ...key, requestId };
    }
    let claims: AccessTokenClaims;
    try {
      claims = await this.jwt.verifyAsync<AccessTokenClaims>(credential, { algorithms: ['HS256'] });
    } catch (error) {
      const expired = (error as Error).name === 'TokenExpiredError';
      throw AppError.unauthorized(expired ? 'The token has expired; sign in again' : 'The token is not valid');
    }
    const subject = claims.sub;
    const user =
      typeof subject === 'string'
        ? await this.principals.get(`user:${subject}`, async () => {
            const found = await this.users.findPrincipal(subject);
            return found?.active
              ? { kind: 'user' as const, id: found.id, userId: found.id, role: found.role, organizationId: found.organizationId, centerIds: found.centerIds }
              : null;
          })
        : null;
    if (!user) throw AppError.unauthorized('The account no longer exists or is disabled');
    return { ...user, requestId };
  }
}
