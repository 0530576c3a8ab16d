/**
 * Application permissions that read users and groups (graph-facts 2), least privileged first: the
 * delta functions and the plain listings of the same collection accept the same ones
 * (https://learn.microsoft.com/graph/api/user-delta, user-list; group-delta, group-list,
 * group-list-members, group-list-owners). A token holding none gets 403 Authorization_RequestDenied.
 */
export const READ_USERS = ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];
export const READ_GROUPS = ['GroupMember.Read.All', 'Group.Read.All', 'Group.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];
