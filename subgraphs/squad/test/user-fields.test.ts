import { randomUUID } from 'node:crypto';
import { capturingLogger } from '@fitnexa/shared/testing';
import { aMember, aSquad, aUser, entities, type TestUser } from './factories';
import { startTestSquad } from './harness';

describe('batching', () => {
  it("when 10 or 200 users' squads are resolved with their names and member counts, then both cost the same number of SQL statements", async () => {
    const logs = capturingLogger('squad');
    const counted = await startTestSquad({ logger: logs.logger });
    try {
      // Five squads (two PRIVATE) of five owners, each joined by four of twenty members.
      const owners: TestUser[] = [];
      const squadIds: string[] = [];
      for (let index = 0; index < 5; index += 1) {
        const owner = await aUser(counted);
        const visibility = index < 2 ? 'PRIVATE' : 'PUBLIC';
        owners.push(owner);
        squadIds.push((await aSquad(counted, owner, { name: `Squad ${index}`, visibility })).id);
      }
      const users: string[] = owners.map((owner) => owner.id);
      for (let index = 0; index < 20; index += 1) {
        const squadIndex = index % squadIds.length;
        const member = await aMember(counted, squadIds[squadIndex]!, owners[squadIndex]!);
        users.push(member.id);
      }
      const viewers = { admin: await aUser(counted, 'ADMIN'), member: await aUser(counted) };
      // The membership events go out first: the relay's statements are not the query's.
      await counted.server.outbox.drain();

      const statementsFor = async (userIds: string[], viewer: TestUser) => {
        const before = logs.entries.filter((entry) => entry.message === 'sql').length;
        const result = await entities(
          counted,
          'User',
          userIds,
          'squads { name memberCount }',
          viewer.token,
        );
        expect(result.errors).toBeUndefined();
        expect(result.data._entities).toHaveLength(userIds.length);
        return logs.entries.filter((entry) => entry.message === 'sql').length - before;
      };
      const ten = users.slice(0, 10);
      const twoHundred = [
        ...users,
        ...Array.from({ length: 200 - users.length }, () => randomUUID()),
      ];

      for (const viewer of Object.values(viewers)) {
        const ofTen = await statementsFor(ten, viewer);
        const ofTwoHundred = await statementsFor(twoHundred, viewer);
        // The users' squads, and the member counts of those squads.
        expect(ofTen).toBe(2);
        expect(ofTwoHundred).toBe(ofTen);
      }
    } finally {
      await counted.stop();
    }
  });
});
