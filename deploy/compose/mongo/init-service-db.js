// Idempotent set-up of one service's MongoDB, run by init-service-db.sh once mongod answers:
// a one-member replica set (transactions need a replica set) and the service's own user, who may
// read and write the service's database and nothing else. Running it again changes nothing but
// the user's password, so rotating a password is: set the variable, run the job again.
const env = process.env;

// mongosh throws on { ok: 0 }; turn both styles into a reply document.
function run(database, command) {
  try {
    return database.runCommand(command);
  } catch (error) {
    return { ok: 0, code: error.code, codeName: error.codeName, errmsg: error.message };
  }
}

function must(reply, what) {
  if (reply.ok !== 1) {
    throw new Error(`${what} failed: ${reply.codeName || reply.code}: ${reply.errmsg}`);
  }
  return reply;
}

const admin = db.getSiblingDB('admin');
admin.auth(env.MONGO_ROOT_USERNAME, env.MONGO_ROOT_PASSWORD);

const status = run(admin, { replSetGetStatus: 1 });
if (status.ok !== 1) {
  if (status.codeName !== 'NotYetInitialized') {
    must(status, 'replSetGetStatus');
  }
  must(
    run(admin, {
      replSetInitiate: {
        _id: env.MONGO_REPLICA_SET,
        members: [{ _id: 0, host: env.MONGO_MEMBER_HOST }],
      },
    }),
    'replSetInitiate',
  );
}

// The first election takes a moment; users can only be written on the primary.
const deadline = Date.now() + 60000;
while (run(admin, { hello: 1 }).isWritablePrimary !== true) {
  if (Date.now() > deadline) {
    throw new Error(`${env.MONGO_MEMBER_HOST} did not become primary within 60 s`);
  }
  sleep(500);
}

const target = db.getSiblingDB(env.SERVICE_DATABASE);
const roles = [{ role: 'readWrite', db: env.SERVICE_DATABASE }];
const known = must(run(target, { usersInfo: env.SERVICE_USERNAME }), 'usersInfo').users.length > 0;
if (known) {
  must(run(target, { updateUser: env.SERVICE_USERNAME, pwd: env.SERVICE_PASSWORD, roles }), 'updateUser');
} else {
  must(run(target, { createUser: env.SERVICE_USERNAME, pwd: env.SERVICE_PASSWORD, roles }), 'createUser');
}
print(
  `${env.MONGO_REPLICA_SET}: ready; user ${env.SERVICE_USERNAME} may use database ` +
    `${env.SERVICE_DATABASE} only`,
);
