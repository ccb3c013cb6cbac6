export * from './decode.ts';
export * from './gallery.ts';
export * from './kiosk-file.ts';
export * from './schemas.ts';
export * from './topics.ts';
