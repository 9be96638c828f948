import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AuthService } from '../auth/auth.service';
import { LoginRoute } from '../auth/login-throttle';
import { Actor } from '../common/auth/actor';
import { Public } from '../common/auth/decorators';
import { toProblem } from '../common/errors/problem.filter';
import { APP_CONFIG, AppConfig } from '../infra/config/app-config';
import { ScanDto, SCAN_ACTIONS, ScanAction } from '../samples/dto/scan.dto';
import { ScanService } from '../samples/scan.service';
import { UsersService } from '../users/users.service';
import { PageContext, ScanPagesService } from './scan-pages.service';

const SESSION_COOKIE = 'fh_session';
const LOGIN_CSRF_COOKIE = 'fh_login_csrf';
const COOKIE_PATH = '/S';
const MINUTE = 60_000;

type Form = Record<string, string | undefined>;

/**
 * A posted form as the pages read it: string fields only. No body at all, a JSON body, or a
 * field sent twice (which arrives as an array) leaves those fields out instead of failing.
 */
function formOf(body: unknown): Form {
  if (!body || typeof body !== 'object') return {};
  return Object.fromEntries(Object.entries(body).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/**
 * `GET /S/<LABEL-ID>`: what a phone opens when it scans a label. Signing in here sets an
 * HttpOnly, SameSite cookie holding a short-lived access token; every form carries a CSRF
 * token (an HMAC of the session for signed-in forms, a double-submit cookie for the sign-in
 * form). Actions go through the same code as `POST /api/v1/scan`.
 */
@ApiExcludeController()
@Public()
@Controller('S')
export class ScanPagesController {
  constructor(
    private readonly pages: ScanPagesService,
    private readonly scans: ScanService,
    private readonly auth: AuthService,
    private readonly users: UsersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get(':label')
  async show(@Param('label') label: string, @Query('done') done: string | undefined, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const ctx = await this.context(request, reply);
    if (done && (SCAN_ACTIONS as readonly string[]).includes(done)) ctx.notice = { kind: 'ok', text: `Recorded: ${done.replace(/-/g, ' ')}` };
    const page = await this.pages.render(label, ctx);
    this.html(reply, page.status, page.html);
  }

  @Post(':label/login')
  @LoginRoute()
  async login(@Param('label') label: string, @Body() body: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const form = formOf(body);
    if (!this.sameToken(form.csrf, request.cookies[LOGIN_CSRF_COOKIE])) return this.refuse(label, request, reply, 403, 'The form expired; please sign in again.');
    try {
      const session = await this.auth.login(form.email ?? '', form.password ?? '');
      reply.setCookie(SESSION_COOKIE, session.accessToken, this.cookieOptions(session.expiresIn));
      reply.clearCookie(LOGIN_CSRF_COOKIE, { path: COOKIE_PATH });
      return this.redirect(reply, label);
    } catch (error) {
      const problem = toProblem(error);
      if (!problem) throw error;
      return this.refuse(label, request, reply, problem.status, problem.status === 401 ? 'E-mail or password is wrong.' : problem.detail);
    }
  }

  @Post(':label/logout')
  async logout(@Param('label') label: string, @Body() body: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const token = request.cookies[SESSION_COOKIE];
    if (token && this.sameToken(formOf(body).csrf, this.csrfFor(token))) reply.clearCookie(SESSION_COOKIE, { path: COOKIE_PATH });
    return this.redirect(reply, label);
  }

  @Post(':label/actions/:action')
  async act(@Param('label') label: string, @Param('action') action: string, @Body() body: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const form = formOf(body);
    const ctx = await this.context(request, reply);
    const token = request.cookies[SESSION_COOKIE];
    if (!ctx.actor || !token) return this.redirect(reply, label);
    if (!this.sameToken(form.csrf, this.csrfFor(token))) return this.refuse(label, request, reply, 403, 'The form expired; reload the page and try again.');
    if (!(SCAN_ACTIONS as readonly string[]).includes(action)) return this.refuse(label, request, reply, 404, 'No such action.');
    try {
      await this.scans.scan(ctx.actor, this.scanOf(label, action as ScanAction, form));
      return this.redirect(reply, label, action);
    } catch (error) {
      const problem = toProblem(error);
      if (!problem) throw error;
      const fields = problem.errors?.map((e) => `${e.field}: ${e.message}`).join('; ');
      ctx.notice = { kind: 'error', text: fields && problem.kind === 'validation' ? fields : problem.detail };
      const page = await this.pages.render(label, ctx);
      this.html(reply, problem.status, page.html);
    }
  }

  /** A page form as a scan: the same validation and the same action code as the API. */
  private scanOf(label: string, action: ScanAction, form: Form): ScanDto {
    const text = (name: string) => (form[name]?.trim() ? form[name]!.trim() : undefined);
    const payload: Record<string, unknown> = {};
    for (const name of ['condition', 'recipe', 'outcome', 'reason', 'carrier', 'trackingNumber', 'reasonCode', 'wasteStream', 'comment']) {
      if (text(name) !== undefined) payload[name] = text(name);
    }
    if (form.includeDescendants === 'true') payload.includeDescendants = true;
    if (action === 'process-step') {
      const minutes = Number(text('minutes') ?? '60');
      const endedAt = new Date();
      payload.startedAt = new Date(endedAt.getTime() - (Number.isFinite(minutes) && minutes >= 0 ? minutes : 60) * MINUTE).toISOString();
      payload.endedAt = endedAt.toISOString();
    }
    return { label, action, locationLabel: text('locationLabel'), equipmentId: text('equipmentId'), payload };
  }

  /** Who is signed in (a stale or forged cookie is dropped) and the CSRF token for the forms. */
  private async context(request: FastifyRequest, reply: FastifyReply): Promise<PageContext> {
    const token = request.cookies[SESSION_COOKIE];
    let actor: Actor | null = null;
    if (token) {
      actor = await this.auth.authenticate(token, String(request.id)).catch(() => null);
      if (!actor) reply.clearCookie(SESSION_COOKIE, { path: COOKIE_PATH });
    }
    if (actor && token) {
      const contact = actor.userId ? await this.users.contactOf(actor.userId) : null;
      return { actor, userName: contact?.displayName ?? null, csrf: this.csrfFor(token) };
    }
    const csrf = request.cookies[LOGIN_CSRF_COOKIE] ?? randomBytes(18).toString('base64url');
    reply.setCookie(LOGIN_CSRF_COOKIE, csrf, { ...this.cookieOptions(3600), sameSite: 'strict' });
    return { actor: null, userName: null, csrf };
  }

  private async refuse(label: string, request: FastifyRequest, reply: FastifyReply, status: number, text: string): Promise<void> {
    const ctx = await this.context(request, reply);
    ctx.notice = { kind: 'error', text };
    const page = await this.pages.render(label, ctx);
    this.html(reply, status, page.html);
  }

  private csrfFor(session: string): string {
    return createHmac('sha256', this.config.jwtSecret).update(`scan-page-csrf:${session}`).digest('base64url');
  }

  private sameToken(given: string | undefined, expected: string | undefined): boolean {
    if (!given || !expected) return false;
    const a = Buffer.from(given);
    const b = Buffer.from(expected);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  private cookieOptions(maxAgeSeconds: number) {
    return { path: COOKIE_PATH, httpOnly: true, sameSite: 'lax' as const, secure: this.config.publicUrl.startsWith('https:'), maxAge: maxAgeSeconds };
  }

  private redirect(reply: FastifyReply, label: string, done?: string): void {
    void reply.code(303).header('location', `/S/${encodeURIComponent(label)}${done ? `?done=${encodeURIComponent(done)}` : ''}`).send();
  }

  private html(reply: FastifyReply, status: number, html: string): void {
    void reply.code(status).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'private, no-store').send(html);
  }
}
