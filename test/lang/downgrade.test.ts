// downgrade_write(L) came after the first release, so it is not a reserved word: a scenario that
// already used the name for something else keeps working, and the statement still parses.
import { describe, expect, it } from 'vitest';
import { checked, verdictOf } from '../gen/checked.js';

describe('downgrade_write', () => {
  it('is a statement and, elsewhere, an ordinary name', async () => {
    const text = `use x86_64;
page P { present: true, write: true, pfn: F0 }
frame F0;
rwsem S;
bool downgrade_write = false;
cpu a { down_write(S); downgrade_write = true; downgrade_write(S); up_read(S); }
cpu b { down_read(S); assert never_during_write: downgrade_write; up_read(S); }
`;
    const r = await checked(text, 'downgrade.race');
    // b holds S for reading only once a has downgraded (after setting the flag) or before a takes it.
    expect(verdictOf(r, 'never_during_write').status).toBe('violated');
    expect(verdictOf(r, 'lock_misuse').status).toBe('holds');
    const late = await checked(text.replace('cpu b { down_read(S);', 'cpu b { await(downgrade_write); down_read(S);'), 'downgrade.race');
    expect(verdictOf(late, 'never_during_write').status).toBe('holds');
  });
});
