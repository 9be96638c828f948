import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';
import { UserView } from '../../users/dto/user-view.dto';

export class LoginDto {
  @ApiProperty({ example: 'admin@foundry-hub.local' })
  @IsEmail({}, { message: 'must be an e-mail address' })
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'foundry-hub-admin' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  password: string;
}

export class LoginResponseDto {
  @ApiProperty({ description: 'HS256 JWT; send as `Authorization: Bearer <token>`' })
  accessToken: string;

  @ApiProperty({ example: 3600, description: 'seconds until the token expires' })
  expiresIn: number;

  @ApiProperty({ type: UserView })
  user: UserView;
}
