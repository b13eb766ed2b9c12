export * from './settlements';
export * from './charity';
export * from './accounts';
export * from './audit';
