import { describe, expect, it } from 'vitest';
import { resourceUnitCost } from '../../src/graph/resource-units.js';

describe('resourceUnitCost: base costs (graph-facts 3.2)', () => {
  it.each([
    ['GET', '/users', 2],
    ['GET', '/users/delta', 1],
    ['GET', '/users/u1', 1],
    ['GET', '/applications', 2],
    ['GET', '/applications/a1/extensionProperties', 2],
    ['GET', '/contracts', 3],
    ['GET', '/domains/contoso.com/domainNameReferences', 4],
    ['GET', '/groups', 1],
    ['GET', '/groups/delta', 1],
    ['GET', '/groups/g1/members', 3],
    ['GET', '/groups/g1/transitiveMembers', 5],
    ['GET', '/groups/g1/owners', 1],
    ['GET', '/me/licenseDetails', 2],
    ['GET', '/users/u1/licenseDetails', 2],
    ['GET', '/users/alice@contoso.com/memberOf', 2],
    ['GET', '/me/ownedObjects', 2],
    ['GET', '/users/u1/transitiveMemberOf', 2],
    ['GET', '/oauth2PermissionGrants', 2],
    ['GET', '/oauth2PermissionGrants/p1', 2],
    ['GET', '/servicePrincipals', 1],
    ['GET', '/servicePrincipals/s1/appRoleAssignments', 2],
    ['GET', '/subscribedSkus', 3],
    ['GET', '/directoryRoles', 1],
    ['POST', '/directoryObjects/getByIds', 3],
    ['POST', '/getObjectsById', 3],
    ['POST', '/me/checkMemberGroups', 4],
    ['POST', '/users/u1/checkMemberObjects', 4],
    ['POST', '/me/getMemberGroups', 2],
    ['POST', '/users/u1/getMemberObjects', 2],
    ['POST', '/groups/g1/isMemberOf', 4],
    ['POST', '/users', 1],
    ['GET', '/directoryObjects/getByIds', 1],
    ['PATCH', '/users', 1],
  ])('%s %s costs %i', (method, url, cost) => {
    expect(resourceUnitCost(method, url)).toBe(cost);
  });
});

describe('resourceUnitCost: modifiers', () => {
  it.each([
    ['/users?$select=id,displayName', 1],
    ['/groups/g1/members?$expand=manager', 4],
    ['/groups/g1/members?$select=id&$expand=manager', 3],
    ['/groups/g1/transitiveMembers?$top=10', 4],
    ['/groups/g1/transitiveMembers?$top=19', 4],
    ['/groups/g1/transitiveMembers?$top=20', 5],
    ['/groups/g1/transitiveMembers?$top=999', 5],
    ['/groups/g1/transitiveMembers?$top=abc', 5],
    ['/groups/g1/transitiveMembers?$select=id&$top=5', 3],
    ['/applications?$filter=startswith(displayName,%27a%27)', 2],
  ])('GET %s costs %i', (url, cost) => {
    expect(resourceUnitCost('GET', url)).toBe(cost);
  });

  it('never goes below 1', () => {
    expect(resourceUnitCost('GET', '/users?$select=id&$top=5')).toBe(1);
    expect(resourceUnitCost('GET', '/directoryRoles?$select=id&$top=5')).toBe(1);
    expect(resourceUnitCost('GET', '/users/delta?$select=id')).toBe(1);
  });

  it('compares query keys case-insensitively, and reads percent-encoded keys', () => {
    expect(resourceUnitCost('GET', '/users?$SELECT=id')).toBe(1);
    expect(resourceUnitCost('GET', '/groups/g1/members?$Expand=x&$TOP=5')).toBe(3);
    expect(resourceUnitCost('GET', '/users?%24select=id')).toBe(1);
  });

  it('compares paths and methods case-insensitively', () => {
    expect(resourceUnitCost('get', '/Users')).toBe(2);
    expect(resourceUnitCost('GET', '/GROUPS/g1/MEMBERS/')).toBe(3);
    expect(resourceUnitCost('post', '/directoryobjects/getbyids')).toBe(3);
  });
});

describe('resourceUnitCost: URL forms', () => {
  it.each([
    'https://graph.microsoft.com/v1.0/groups/g1/members?$select=id',
    'https://graph.microsoft.com/beta/groups/g1/members?$select=id',
    'https://graph.microsoft.us/v1.0/groups/g1/members?$select=id',
    'http://127.0.0.1:8787/v1.0/groups/g1/members?$select=id',
    'HTTPS://GRAPH.MICROSOFT.COM/V1.0/groups/g1/members?$select=id',
    '/groups/g1/members?$select=id',
    'groups/g1/members?$select=id',
    '/v1.0/groups/g1/members?$select=id',
  ])('%s costs 2', (url) => {
    expect(resourceUnitCost('GET', url)).toBe(2);
  });

  it('keeps the next link of a page as is (skiptoken, deltatoken)', () => {
    expect(resourceUnitCost('GET', 'https://graph.microsoft.com/v1.0/users?$select=id&$skiptoken=X%27Y')).toBe(1);
    expect(resourceUnitCost('GET', 'https://graph.microsoft.com/v1.0/users/delta?$deltatoken=abc')).toBe(1);
  });
});
