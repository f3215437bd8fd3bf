import { createLogger } from '../src/logger/browser';

describe('browser logger', () => {
  let consoleSpies: Record<'error' | 'warn' | 'info' | 'debug', jest.SpyInstance>;

  beforeEach(() => {
    consoleSpies = {
      error: jest.spyOn(console, 'error').mockImplementation(() => {}),
      warn: jest.spyOn(console, 'warn').mockImplementation(() => {}),
      info: jest.spyOn(console, 'info').mockImplementation(() => {}),
      debug: jest.spyOn(console, 'debug').mockImplementation(() => {}),
    };
  });

  afterEach(() => jest.restoreAllMocks());

  it('when logging, then each entry is one structured object on the matching console method', () => {
    const logger = createLogger({ service: 'member-app', level: 'debug' });

    logger.error('sync failed', { attempt: 3 });
    logger.warn('slow response');
    logger.info('signed in');
    logger.debug('cache hit');

    expect(consoleSpies.error).toHaveBeenCalledWith({
      level: 'error',
      message: 'sync failed',
      service: 'member-app',
      timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      attempt: 3,
    });
    expect(consoleSpies.warn).toHaveBeenCalledWith(expect.objectContaining({ level: 'warn' }));
    expect(consoleSpies.info).toHaveBeenCalledWith(expect.objectContaining({ level: 'info' }));
    expect(consoleSpies.debug).toHaveBeenCalledWith(expect.objectContaining({ level: 'debug' }));
    for (const spy of Object.values(consoleSpies)) expect(spy).toHaveBeenCalledTimes(1);
  });

  it('when logging at http level, then the entry goes to console.debug', () => {
    createLogger({ service: 'member-app', level: 'http' }).http('POST /graphql 200');

    expect(consoleSpies.debug).toHaveBeenCalledWith(
      expect.objectContaining({ level: 'http', message: 'POST /graphql 200' }),
    );
  });

  it('when no level is configured, then info and more severe entries are written and the rest dropped', () => {
    const logger = createLogger({ service: 'member-app' });

    logger.info('written');
    logger.http('dropped');
    logger.debug('dropped');

    expect(consoleSpies.info).toHaveBeenCalledTimes(1);
    expect(consoleSpies.debug).not.toHaveBeenCalled();
  });

  it('when the level is warn, then only warnings and errors are written', () => {
    const logger = createLogger({ service: 'member-app', level: 'warn' });

    logger.error('written');
    logger.warn('written');
    logger.info('dropped');
    logger.http('dropped');
    logger.debug('dropped');

    expect(consoleSpies.error).toHaveBeenCalledTimes(1);
    expect(consoleSpies.warn).toHaveBeenCalledTimes(1);
    expect(consoleSpies.info).not.toHaveBeenCalled();
    expect(consoleSpies.debug).not.toHaveBeenCalled();
  });

  it('when using a child logger, then its meta is merged into every entry on top of the parent meta', () => {
    const logger = createLogger({
      service: 'member-app',
      defaultMeta: { appVersion: '1.4.0', screen: 'home' },
    });
    const child = logger.child({ screen: 'workout', sessionId: 's-1' });

    child.info('set logged', { reps: 8 });
    logger.info('back home');

    expect(consoleSpies.info).toHaveBeenNthCalledWith(
      1,
      expect.objectContaining({
        service: 'member-app',
        appVersion: '1.4.0',
        screen: 'workout',
        sessionId: 's-1',
        reps: 8,
      }),
    );
    const parentEntry = consoleSpies.info.mock.calls[1]?.[0] as Record<string, unknown>;
    expect(parentEntry).toMatchObject({ screen: 'home' });
    expect(parentEntry).not.toHaveProperty('sessionId');
  });

  it('when a child logger is created, then it keeps the parent level', () => {
    createLogger({ service: 'member-app', level: 'warn' })
      .child({ screen: 'home' })
      .info('dropped');

    expect(consoleSpies.info).not.toHaveBeenCalled();
  });

  it('when meta uses a reserved field name, then the entry keeps its own level, message and service', () => {
    createLogger({ service: 'member-app' }).info('signed in', { service: 'spoofed', level: 'x' });

    expect(consoleSpies.info).toHaveBeenCalledWith(
      expect.objectContaining({ level: 'info', message: 'signed in', service: 'member-app' }),
    );
  });
});
