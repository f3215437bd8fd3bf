import { subgraphCodegen } from '@fitnexa/shared/codegen';

export default subgraphCodegen({
  contextType: '../context#IdentityContext',
  mappers: {
    User: '../data/users#UserRecord',
    AuthPayload: '../domain/accounts#Session',
  },
});
