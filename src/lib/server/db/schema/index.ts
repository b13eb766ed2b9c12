export * from './settlements';
export * from './charity';
export * from './accounts';
export * from './audit';
export * from './services';
export * from './notifications';
export * from './governance';
export * from './activities';
