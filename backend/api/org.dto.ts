/** DTOs of the organisation: units, sites, admin users and passwords. */
import { z } from 'zod';
import { Role } from '../services/tokens.ts';
import { SafeName, SafeText } from './text.dto.ts';

export const EntityId = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
    'letters, digits, ".", "_" or "-" (at most 64, not starting with a sign)',
  );

const Name = SafeName(200);

// ---------------------------------------------------------------------------------------------
// Units

export const UnitCreate = z
  .object({
    id: EntityId.optional().describe('the unit id; made from the name when absent'),
    name: Name.describe('the unit’s name, e.g. "Dinas Kesehatan", "Bidang P2P"'),
    parentId: EntityId.nullable()
      .optional()
      .describe(
        'the unit above (an OPD for a bidang, a bidang for a sub-bagian); absent or null: a root (an OPD)',
      ),
    code: SafeText(64).nullable().optional().describe('the region’s own unit code (free text)'),
  })
  .strict();

export const UnitUpdate = z
  .object({
    name: Name.optional().describe('a new name (rename)'),
    parentId: EntityId.nullable()
      .optional()
      .describe(
        'a new parent (move, with the whole subtree); null makes the unit a root; never a unit below it',
      ),
    code: SafeText(64).nullable().optional().describe('the region’s own unit code; null clears it'),
  })
  .strict();

export const UnitQuery = z.object({
  tree: z
    .enum(['1', '0', 'true', 'false'])
    .optional()
    .transform((v) => v === '1' || v === 'true')
    .describe('1: nested, each unit with its `children`; else a flat list with `parentId`'),
  active: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === 'true'))
    .describe('only active (true) or only deactivated (false) units; absent: both'),
});

export const UnitView = z.object({
  id: z.string(),
  name: z.string(),
  parentId: z.string().nullable().describe('the unit above; null for a root (an OPD)'),
  code: z.string().nullable(),
  active: z.boolean().describe('false: deactivated (kept with its history)'),
  depth: z.number().int().describe('0: a root (OPD), 1: a bidang, 2: a sub-bagian…'),
  createdAt: z.string(),
  updatedAt: z.string(),
});

// ---------------------------------------------------------------------------------------------
// Sites

const ZONE_OF_LABEL = { WIB: 'Asia/Jakarta', WITA: 'Asia/Makassar', WIT: 'Asia/Jayapura' } as const;

/** Indonesia's three zones: the IANA name, or its label (WIB, WITA, WIT), stored as the IANA name. */
export const SiteTimeZone = z
  .enum(['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura', 'WIB', 'WITA', 'WIT'])
  .transform((tz) => (tz in ZONE_OF_LABEL ? ZONE_OF_LABEL[tz as keyof typeof ZONE_OF_LABEL] : tz))
  .describe('Asia/Jakarta (WIB), Asia/Makassar (WITA) or Asia/Jayapura (WIT); the labels are accepted too');

const Address = SafeText(500).nullable().describe('postal address');
const Latitude = z
  .number()
  .min(-90)
  .max(90)
  .nullable()
  .describe('WGS 84 degrees, −90…90; give with longitude');
const Longitude = z
  .number()
  .min(-180)
  .max(180)
  .nullable()
  .describe('WGS 84 degrees, −180…180; give with latitude');

export const SiteCreate = z
  .object({
    id: EntityId.optional().describe('the site id (used in MQTT topics); made from the name when absent'),
    name: Name.describe('e.g. "Kantor Bupati", "UPT Puskesmas Cikande"'),
    timeZone: SiteTimeZone,
    address: Address.optional(),
    latitude: Latitude.optional(),
    longitude: Longitude.optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if ((s.latitude ?? null) === null && (s.longitude ?? null) !== null)
      ctx.addIssue({ code: 'custom', path: ['latitude'], message: 'give both coordinates, or neither' });
    if ((s.latitude ?? null) !== null && (s.longitude ?? null) === null)
      ctx.addIssue({ code: 'custom', path: ['longitude'], message: 'give both coordinates, or neither' });
  });

/** The organisation's fields of a site, added to PATCH /api/sites/:id. */
export const SiteOrgFields = {
  name: Name.optional(),
  timeZone: SiteTimeZone.optional(),
  address: Address.optional(),
  latitude: Latitude.optional(),
  longitude: Longitude.optional(),
};

// ---------------------------------------------------------------------------------------------
// Admin users

const Password = z.string().min(10, 'at least 10 characters').max(256);
const Username = z
  .string()
  .min(3)
  .max(64)
  .regex(/^[A-Za-z0-9._@-]+$/, 'letters, digits, ".", "_", "@" or "-"');
const DisplayName = SafeName(200);

export const UserCreate = z
  .object({
    username: Username.describe('the login name'),
    password: Password.describe('at least 10 characters'),
    role: Role.describe(
      'SUPERADMIN, BKD (everything, region-wide), OPD_ADMIN (their unit and below), SUPERVISOR (reads their unit and below)',
    ),
    unitId: EntityId.optional().describe('the user’s unit: required for OPD_ADMIN and SUPERVISOR'),
    displayName: DisplayName.optional().describe('the person’s name as shown'),
  })
  .strict();

export const UserUpdate = z
  .object({
    role: Role.optional().describe('a new role (applies to the user’s next request)'),
    unitId: EntityId.nullable().optional().describe('a new unit; null only for SUPERADMIN and BKD'),
    displayName: DisplayName.nullable().optional().describe('the person’s name as shown; null clears it'),
  })
  .strict();

export const UserView = z.object({
  id: z.string(),
  username: z.string(),
  role: Role,
  unitId: z.string().nullable(),
  displayName: z.string().nullable(),
  active: z.boolean().describe('false: disabled (cannot log in, tokens refused)'),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const PasswordChange = z
  .object({
    currentPassword: z.string().min(1).max(256).describe('the caller’s password now'),
    newPassword: Password.describe('at least 10 characters; every other session of the caller ends'),
  })
  .strict();

export const PasswordReset = z
  .object({
    newPassword: Password.describe('at least 10 characters; the user’s sessions end at once'),
  })
  .strict();

export const LoginAnswer = z.object({
  token: z.string().describe('bearer token for Authorization: Bearer …'),
  user: z.object({ sub: z.string(), username: z.string(), role: Role, unitId: z.string().nullable() }),
});
