import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Actor, ROLES } from '../common/auth/actor';
import { CurrentActor, Public } from '../common/auth/decorators';
import { UserView } from '../users/dto/user-view.dto';
import { UsersService } from '../users/users.service';
import { AuthService } from './auth.service';
import { LoginDto, LoginResponseDto } from './dto/login.dto';
import { LoginRoute } from './login-throttle';

export class MeResponse {
  @ApiProperty({ enum: ['user', 'api_key'] })
  kind: Actor['kind'];

  @ApiProperty({ enum: ROLES })
  role: Actor['role'];

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  organizationId: string | null;

  @ApiProperty({ type: [String] })
  centerIds: string[];

  @ApiProperty({ type: UserView, nullable: true, description: 'null for an API key' })
  user: UserView | null;
}

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
  ) {}

  /** Exchanges e-mail and password for a one-hour access token. Limited per account and per IP. */
  @Post('login')
  @Public()
  @LoginRoute()
  @HttpCode(200)
  login(@Body() dto: LoginDto): Promise<LoginResponseDto> {
    return this.auth.login(dto.email, dto.password);
  }

  /** The caller: the signed-in user, or the scope of the API key in use. */
  @Get('me')
  @ApiBearerAuth()
  async me(@CurrentActor() actor: Actor): Promise<MeResponse> {
    const user = actor.kind === 'user' ? await this.users.get(actor, actor.id) : null;
    return { kind: actor.kind, role: actor.role, organizationId: actor.organizationId, centerIds: actor.centerIds, user };
  }
}
