import { subgraphCodegen } from '@fitnexa/shared/codegen';

export default subgraphCodegen({
  contextType: '../context#ObservabilityContext',
  mappers: { LogEntry: '../data/log-store#LogRecord' },
});
