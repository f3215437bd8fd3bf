import { DEFAULT_METRICS_PORT, metricsPortOf } from '../src/config';

describe('where a server serves /metrics', () => {
  it('when NODE_ENV is production and METRICS_PORT unset, then on the default metrics port', () => {
    expect(metricsPortOf({ NODE_ENV: 'production' })).toBe(DEFAULT_METRICS_PORT);
  });

  it('when METRICS_PORT is set, then on it, whatever NODE_ENV', () => {
    expect(metricsPortOf({ NODE_ENV: 'production', METRICS_PORT: 9100 })).toBe(9100);
    expect(metricsPortOf({ NODE_ENV: 'development', METRICS_PORT: 9100 })).toBe(9100);
  });

  it('when outside production with no METRICS_PORT, then on the public port (none of its own)', () => {
    expect(metricsPortOf({ NODE_ENV: 'development' })).toBeUndefined();
  });
});
