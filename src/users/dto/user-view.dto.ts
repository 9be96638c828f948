import { ApiProperty } from '@nestjs/swagger';
import { ROLES, Role } from '../../common/auth/actor';

/** A user as the API shows them: never the password hash; staff with their centers. */
export class UserView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'hanako.sato@tsukuba-photonics.example.jp' })
  email: string;

  @ApiProperty({ example: 'Hanako Sato' })
  displayName: string;

  @ApiProperty({ enum: ROLES })
  role: Role;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  organizationId: string | null;

  @ApiProperty({ type: [String] })
  centerIds: string[];

  @ApiProperty()
  active: boolean;

  @ApiProperty()
  createdAt: Date;

  @ApiProperty()
  updatedAt: Date;
}
