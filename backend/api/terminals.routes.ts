import type { Request } from 'express';
import type { DirectoryService } from '../services/directory.service.ts';
import { scopeOf } from '../services/scope.ts';
import { TerminalCreate, TerminalRegistered } from './dto.ts';
import { parse, type RouteModule } from './router.ts';

export type TerminalRoutesDeps = {
  directory: DirectoryService;
  /** The broker URL handed to a new terminal. */
  mqttUrlFor: (req: Request) => string;
  /** The backend URL handed to a new terminal (its gallery pull). */
  apiUrlFor: (req: Request) => string;
};

/** Registering terminals (the answer is also the kiosk's file, protocol/kiosk-file.ts) and listing them. */
export const terminalRoutes =
  (d: TerminalRoutesDeps): RouteModule =>
  (route) => {
    route(
      'post',
      '/api/terminals',
      {
        summary:
          'Register a terminal; its MQTT password is returned only here, also as a ready kiosk file (`kiosk`) for `npm run terminal -- --config FILE`',
        body: TerminalCreate,
        roles: ['SUPERADMIN', 'BKD'],
        status: 201,
        response: TerminalRegistered,
      },
      async (req): Promise<TerminalRegistered> => {
        const { terminal, secret } = await d.directory.registerTerminal(parse(TerminalCreate, req.body));
        const mqttUrl = d.mqttUrlFor(req);
        return {
          id: terminal.id,
          name: terminal.name,
          siteId: terminal.siteId,
          mqtt: { url: mqttUrl, username: terminal.id, password: secret },
          kiosk: { id: terminal.id, secret, mqttUrl, apiUrl: d.apiUrlFor(req), site: terminal.siteId },
        };
      },
    );
    route(
      'get',
      '/api/terminals',
      {
        summary:
          'Terminals with their online state: all for SUPERADMIN and BKD; for an OPD admin, those of the sites where their units’ employees work',
        roles: ['SUPERADMIN', 'BKD', 'OPD_ADMIN'],
      },
      (_req, s) => d.directory.listTerminals(scopeOf(s)),
    );
  };
