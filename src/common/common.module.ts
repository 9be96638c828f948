import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../infra/config/app-config';
import { PrincipalCache } from './auth/principal-cache';
import { CursorCodec } from './pagination/cursor';

/** Cross-cutting providers every module may inject. */
@Global()
@Module({
  providers: [{ provide: CursorCodec, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new CursorCodec(config.jwtSecret) }, PrincipalCache],
  exports: [CursorCodec, PrincipalCache],
})
export class CommonModule {}
