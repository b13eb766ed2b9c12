import { hash, verify } from '@node-rs/argon2';

// the parameters of Lucia's guide (OWASP's argon2id minimum)
const options = { memoryCost: 19456, timeCost: 2, outputLen: 32, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
	return hash(password, options);
}

export async function verifyPasswordHash(passwordHash: string, password: string): Promise<boolean> {
	try {
		return await verify(passwordHash, password);
	} catch {
		return false;
	}
}

// spent on unknown usernames so both failures take as long and look the same
let dummyHash: Promise<string> | undefined;
export async function burnPasswordCheck(password: string): Promise<false> {
	dummyHash ??= hashPassword('anju-dummy-password');
	await verifyPasswordHash(await dummyHash, password);
	return false;
}
