import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiPage } from '../common/pagination/api-page.decorator';
import { ApiProblems } from '../common/errors/problem.dto';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Actor } from '../common/auth/actor';
import { CurrentActor, Roles } from '../common/auth/decorators';
import { Page } from '../common/pagination/cursor';
import { UuidPipe } from '../common/validation/validation';
import { CreateUserDto, UpdateUserDto, UserQueryDto } from './dto/user.dto';
import { UserView } from './dto/user-view.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@ApiProblems()
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  /** Staff and admins see every account; a member sees the accounts of their organization. */
  @Get()
  @ApiPage(UserView)
  list(@CurrentActor() actor: Actor, @Query() query: UserQueryDto): Promise<Page<UserView>> {
    return this.users.list(actor, query);
  }

  @Get(':id')
  get(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string): Promise<UserView> {
    return this.users.get(actor, id);
  }

  /** Admins create any account; staff create member accounts. The new user is sent a notice. */
  @Post()
  @Roles('admin', 'staff')
  create(@CurrentActor() actor: Actor, @Body() dto: CreateUserDto): Promise<UserView> {
    return this.users.create(actor, dto);
  }

  /** Admins change anything; staff change members; everyone may change their own name and password. */
  @Patch(':id')
  update(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: UpdateUserDto): Promise<UserView> {
    return this.users.update(actor, id, dto);
  }
}
