// The services capability: catalogue, requests and their workflow, the escalation sweep.
export { categoriesFor, listCatalogue, updateCategory, type Category } from './catalogue';
export {
	fileRequest,
	getRequest,
	listRequests,
	countRequests,
	takeStep,
	addNote,
	listAssignable,
	assignRequest,
	rateRequest,
	escalateOverdue,
	type RequestDetail
} from './requests';
export { statusWords } from './shared';
export { receiptQr } from './receipt';
export { startEscalationTimer } from './sweep';
export { listServiceSettlements, listQueueCategories } from './views';
