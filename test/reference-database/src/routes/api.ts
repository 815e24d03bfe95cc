/** The external JSON API for scripts holding an API key (checked by introspection at the IdP). */
import { Router } from '@koa/router';
import { parseInput, requireApiKey, type AppContext, type AppState, type HttpDeps } from '../http.tsx';
import { noteInput } from './schemas.ts';

export function apiRoutes(deps: HttpDeps) {
  const router = new Router<AppState>({ prefix: '/api' });

  router.get('/me', requireApiKey(deps, 'read'), async function me(ctx: AppContext) {
    const { user, scopes } = ctx.state.apiKey!;
    ctx.body = {
      sub: user.sub,
      login: user.login,
      role: user.role,
      preferencesEmail: user.preferences_email,
      scope: [...scopes].join(' '),
      database: deps.dbName,
    };
  });

  router.get('/notes', requireApiKey(deps, 'read'), async function listNotes(ctx: AppContext) {
    const notes = deps.service.listNotes(ctx.state.apiKey!.user);
    ctx.body = { notes: notes.map((note) => ({ id: note.id, text: note.text, createdAt: new Date(note.created_at).toISOString() })) };
  });

  router.post('/notes', requireApiKey(deps, 'read-write'), async function addNote(ctx: AppContext) {
    const input = parseInput(noteInput, ctx.request.body);
    const note = deps.service.addNote(ctx.state.apiKey!.user, input.text);
    ctx.status = 201;
    ctx.body = { id: note.id, text: note.text, createdAt: new Date(note.created_at).toISOString() };
  });

  return router;
}
